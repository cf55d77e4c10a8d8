/** What a completion script completes: commands, their options, and where task ids go. */
export interface CompletionSpec {
  readonly commands: readonly {
    readonly name: string;
    readonly summary: string;
    readonly options: readonly string[];
  }[];
  /** Options whose value is a node, group or task id (`--only`, `--from`, ...). */
  readonly idOptions: readonly string[];
  /** Commands whose first argument after FILE is a task id (`logs`). */
  readonly idCommands: readonly string[];
}

export type Shell = 'bash' | 'zsh' | 'fish';

/**
 * The options a command's usage text declares: those of its `Usage:` lines
 * (`[--format text|json]`) and those that open a line of its option list (`  --only PATTERN`).
 * Options its prose only mentions are another command's, or another form of one.
 */
export function optionsOfUsage(usage: string): string[] {
  const found = new Set<string>();
  let inUsage = false;
  for (const line of usage.split('\n')) {
    inUsage = line.startsWith('Usage:') || (inUsage && /^\s+campaign /.test(line));
    if (inUsage) {
      for (const m of line.matchAll(/(?<![\w-])(--[a-z][a-z-]*)/g)) found.add(m[1]!);
      continue;
    }
    const opt = /^\s+(?:-\w,\s+)?(--[a-z][a-z-]*)/.exec(line);
    if (opt) found.add(opt[1]!);
  }
  found.add('--help');
  return [...found].sort();
}

const quoteWords = (ws: readonly string[]) => ws.join(' ');

/**
 * A completion script. Task and node ids come at completion time from
 * `campaign completion --ids`, which reads the campaign file in the current folder.
 */
export function completionScript(shell: Shell, spec: CompletionSpec): string {
  switch (shell) {
    case 'bash':
      return bash(spec);
    case 'zsh':
      return zsh(spec);
    case 'fish':
      return fish(spec);
  }
}

function bash(spec: CompletionSpec): string {
  const cases = spec.commands.map((c) => `    ${c.name}) opts="${quoteWords(c.options)}" ;;`).join('\n');
  return `# campaign completion for bash: eval "$(campaign completion bash)"
_campaign() {
  local cur prev cmd opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd="\${COMP_WORDS[1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${quoteWords(spec.commands.map((c) => c.name))}" -- "$cur"))
    return
  fi
  case "$prev" in
    ${spec.idOptions.join('|')})
      COMPREPLY=($(compgen -W "$(campaign completion --ids 2>/dev/null)" -- "$cur"))
      return ;;
  esac
  case "$cmd" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [[ " ${quoteWords(spec.idCommands)} " == *" $cmd "* ]]; then
    COMPREPLY=($(compgen -W "$(campaign completion --ids 2>/dev/null)" -- "$cur") $(compgen -f -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o default -F _campaign campaign
`;
}

function zsh(spec: CompletionSpec): string {
  const cmds = spec.commands.map((c) => `    '${c.name}:${c.summary.replaceAll("'", "'\\''")}'`).join('\n');
  const cases = spec.commands.map((c) => `    ${c.name}) opts=(${quoteWords(c.options)}) ;;`).join('\n');
  return `#compdef campaign
# campaign completion for zsh: campaign completion zsh > "\${fpath[1]}/_campaign"
_campaign() {
  local -a commands opts
  commands=(
${cmds}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case "\${words[CURRENT-1]}" in
    ${spec.idOptions.join('|')})
      compadd -- \${(f)"$(campaign completion --ids 2>/dev/null)"}
      return ;;
  esac
  case "\${words[2]}" in
${cases}
  esac
  if [[ "\${words[CURRENT]}" == -* ]]; then
    compadd -- $opts
  elif [[ " ${quoteWords(spec.idCommands)} " == *" \${words[2]} "* ]]; then
    compadd -- \${(f)"$(campaign completion --ids 2>/dev/null)"}
    _files
  else
    _files
  fi
}
compdef _campaign campaign
`;
}

function fish(spec: CompletionSpec): string {
  const lines = [
    '# campaign completion for fish: campaign completion fish > ~/.config/fish/completions/campaign.fish',
    'complete -c campaign -f',
  ];
  const names = quoteWords(spec.commands.map((c) => c.name));
  for (const c of spec.commands) {
    lines.push(
      `complete -c campaign -n "not __fish_seen_subcommand_from ${names}" -a ${c.name} -d ${fishQuote(c.summary)}`,
    );
    for (const o of c.options) {
      const id = spec.idOptions.includes(o);
      lines.push(
        `complete -c campaign -n "__fish_seen_subcommand_from ${c.name}" -l ${o.slice(2)}${id ? ' -x -a "(campaign completion --ids 2>/dev/null)"' : ''}`,
      );
    }
  }
  lines.push(
    `complete -c campaign -n "__fish_seen_subcommand_from ${quoteWords(spec.idCommands)}" -a "(campaign completion --ids 2>/dev/null)"`,
    `complete -c campaign -n "__fish_seen_subcommand_from ${names}" -F`,
  );
  return `${lines.join('\n')}\n`;
}

function fishQuote(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}
