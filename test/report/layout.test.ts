import { describe, expect, it } from 'vitest';
import { layeredLayout } from '../../src/ui/report/dag-layout.js';
import { esc, table } from '../../src/ui/report/html.js';

describe('the DAG layout', () => {
  it('puts each vertex one layer after its deepest dependency', () => {
    const lay = layeredLayout(4, [
      [0, 1],
      [1, 2],
      [0, 3],
    ]);
    expect(lay.vertices.map((v) => v.layer)).toEqual([0, 1, 2, 1]);
    expect(lay.layers).toBe(3);
    expect(lay.height).toBe(2);
  });

  it('routes an edge that skips layers through a dummy vertex per layer between', () => {
    const lay = layeredLayout(3, [
      [0, 1],
      [1, 2],
      [0, 2],
    ]);
    expect(lay.vertices).toHaveLength(4);
    expect(lay.vertices[3]).toEqual({ layer: 1, rank: expect.any(Number), dummy: true });
    expect(lay.routes).toEqual([
      [0, 1],
      [1, 2],
      [0, 3, 2],
    ]);
  });

  it('orders a layer by its neighbours, so that edges do not cross', () => {
    // x (0) and y (1) on top; x feeds q (3), y feeds p (2): p must go below q.
    const lay = layeredLayout(4, [
      [0, 3],
      [1, 2],
    ]);
    expect(lay.vertices[0]!.rank).toBeLessThan(lay.vertices[1]!.rank);
    expect(lay.vertices[3]!.rank).toBeLessThan(lay.vertices[2]!.rank);
  });
});

describe('HTML', () => {
  it('escapes text in content and attributes; table cells are text unless marked', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(table('t"x', ['<h>'], [['<td>'], [{ cell: '&', cls: 'a"b' }]])).toBe(
      '<table id="t&quot;x"><thead><tr><th scope="col">&lt;h&gt;</th></tr></thead><tbody>\n<tr><td>&lt;td&gt;</td></tr>\n<tr><td class="a&quot;b">&amp;</td></tr>\n</tbody></table>',
    );
  });
});
