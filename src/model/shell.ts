/** Quotes one word for POSIX sh so that it is always read as literal text. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command as a person would type it: a shell string as is, an argv array quoted word by word. */
export function displayCommand(command: string | readonly string[]): string {
  return typeof command === 'string' ? command : command.map(shellQuote).join(' ');
}
