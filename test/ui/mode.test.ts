import { describe, expect, test } from 'vitest';
import { chooseUi, colorEnabled } from '../../src/ui/mode.js';

describe('chooseUi', () => {
  test('a terminal gets the dashboard, a pipe gets plain lines', () => {
    expect(chooseUi({ env: {}, isTTY: true })).toBe('dashboard');
    expect(chooseUi({ env: {}, isTTY: false })).toBe('plain');
  });

  test('the flag wins over the environment and the terminal', () => {
    expect(chooseUi({ flag: 'dashboard', env: { CI: 'true', TERM: 'dumb' }, isTTY: false })).toBe(
      'dashboard',
    );
    expect(chooseUi({ flag: 'json', env: {}, isTTY: true })).toBe('json');
    expect(chooseUi({ flag: 'plain', env: {}, isTTY: true })).toBe('plain');
  });

  test('CI means plain unless it says false or 0', () => {
    expect(chooseUi({ env: { CI: 'true' }, isTTY: true })).toBe('plain');
    expect(chooseUi({ env: { CI: '1' }, isTTY: true })).toBe('plain');
    expect(chooseUi({ env: { CI: '' }, isTTY: true })).toBe('plain');
    expect(chooseUi({ env: { CI: 'false' }, isTTY: true })).toBe('dashboard');
    expect(chooseUi({ env: { CI: '0' }, isTTY: true })).toBe('dashboard');
  });

  test('a dumb terminal gets plain lines', () => {
    expect(chooseUi({ env: { TERM: 'dumb' }, isTTY: true })).toBe('plain');
    expect(chooseUi({ env: { TERM: 'xterm-256color' }, isTTY: true })).toBe('dashboard');
  });
});

describe('colorEnabled', () => {
  test('follows the terminal by default', () => {
    expect(colorEnabled({ env: {}, isTTY: true })).toBe(true);
    expect(colorEnabled({ env: {}, isTTY: false })).toBe(false);
  });

  test('NO_COLOR turns colour off when not empty', () => {
    expect(colorEnabled({ env: { NO_COLOR: '1' }, isTTY: true })).toBe(false);
    expect(colorEnabled({ env: { NO_COLOR: '' }, isTTY: true })).toBe(true);
  });

  test('FORCE_COLOR decides when set', () => {
    expect(colorEnabled({ env: { FORCE_COLOR: '1' }, isTTY: false })).toBe(true);
    expect(colorEnabled({ env: { FORCE_COLOR: '' }, isTTY: false })).toBe(true);
    expect(colorEnabled({ env: { FORCE_COLOR: '0' }, isTTY: true })).toBe(false);
    expect(colorEnabled({ env: { FORCE_COLOR: 'false' }, isTTY: true })).toBe(false);
    expect(colorEnabled({ env: { FORCE_COLOR: '1', NO_COLOR: '1' }, isTTY: true })).toBe(true);
  });

  test('a dumb terminal has no colour', () => {
    expect(colorEnabled({ env: { TERM: 'dumb' }, isTTY: true })).toBe(false);
  });
});
