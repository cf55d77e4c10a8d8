import { Box } from 'ink';
import { Failures } from './Failures.js';
import { Finished } from './Finished.js';
import { Header } from './Header.js';
import { Legend } from './Legend.js';
import { LogPanel } from './LogPanel.js';
import { Progress } from './Progress.js';
import { Running } from './Running.js';
import { Summary } from './Summary.js';
import { Tree } from './Tree.js';
import type { DashboardView, FinishedLineView } from './view.js';

/** The live area, or the summary once the run is over. Draws only from its props. */
export function Dashboard({ view }: { view: DashboardView }) {
  if (view.kind === 'summary') {
    return (
      <Box flexDirection="column" width={view.columns}>
        <Summary view={view} />
      </Box>
    );
  }
  const { columns, noColor } = view;
  return (
    <Box flexDirection="column" width={columns}>
      <Header view={view.header} columns={columns} noColor={noColor} />
      <Progress
        counts={view.counts}
        columns={columns}
        noColor={noColor}
        showBar={view.showBar}
        showCounts={view.showCounts}
      />
      {view.tree && <Tree tree={view.tree} columns={columns} noColor={noColor} />}
      {view.running && <Running running={view.running} columns={columns} noColor={noColor} />}
      {view.failures && <Failures failures={view.failures} columns={columns} noColor={noColor} />}
      {view.log && <LogPanel log={view.log} columns={columns} noColor={noColor} />}
      {view.legend && (
        <Legend legend={view.legend} prompt={view.prompt} columns={columns} noColor={noColor} />
      )}
    </Box>
  );
}

/** Scroll-back above, live area below: the whole screen. */
export function Screen({ view, finished }: { view: DashboardView; finished: readonly FinishedLineView[] }) {
  return (
    <>
      <Finished lines={finished} noColor={view.noColor} />
      <Dashboard view={view} />
    </>
  );
}
