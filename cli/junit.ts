/**
 * A script run as a JUnit XML report (the format CI systems read): one testsuite, one testcase per
 * executed step, a <failure> on the step that failed. Text is escaped for XML, and characters XML
 * 1.0 cannot carry at all (most C0 controls) are written as their Unicode name escape.
 */
import type { ScriptRunEnd, ScriptStepResult } from '../shared/script';

/** Test cases written at most: a long repeat's steps past this are summed up in one line. */
const MAX_CASES = 10_000;

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // eslint-disable-next-line no-control-regex -- exactly the characters XML 1.0 forbids
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function junitReport(name: string, steps: readonly ScriptStepResult[], end: ScriptRunEnd): string {
  const cases = steps.slice(0, MAX_CASES);
  const failures = steps.filter((s) => !s.ok).length + (end.outcome !== 'passed' && steps.every((s) => s.ok) ? 1 : 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="sockscope" tests="${Math.max(cases.length, 1)}" failures="${failures}" time="${(end.durationMs / 1000).toFixed(3)}">`,
    `  <testsuite name="${escapeXml(name)}" tests="${Math.max(cases.length, 1)}" failures="${failures}" errors="0" skipped="0" time="${(end.durationMs / 1000).toFixed(3)}">`,
  ];
  for (const s of cases) {
    const iter = s.iteration.length ? ` #${s.iteration.join('.')}` : '';
    const caseName = escapeXml(`${s.path} ${s.kind}${iter}`);
    const time = (s.durationMs / 1000).toFixed(3);
    if (s.ok) {
      lines.push(`    <testcase classname="${escapeXml(name)}" name="${caseName}" time="${time}"><system-out>${escapeXml(s.detail)}</system-out></testcase>`);
    } else {
      lines.push(`    <testcase classname="${escapeXml(name)}" name="${caseName}" time="${time}">`);
      lines.push(`      <failure message="${escapeXml(s.detail)}" type="${s.kind}">${escapeXml(s.received ? `received (text): ${s.received.text}\nreceived (hex): ${s.received.hex}` : s.detail)}</failure>`);
      lines.push('    </testcase>');
    }
  }
  if (steps.length > MAX_CASES) lines.push(`    <!-- ${steps.length - MAX_CASES} more steps not listed -->`);
  if (end.outcome !== 'passed' && steps.every((s) => s.ok)) {
    lines.push(`    <testcase classname="${escapeXml(name)}" name="run" time="0"><failure message="${escapeXml(end.detail)}" type="${end.outcome}"/></testcase>`);
  } else if (cases.length === 0) {
    lines.push(`    <testcase classname="${escapeXml(name)}" name="run" time="0"/>`);
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
