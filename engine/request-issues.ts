import type { z } from 'zod';

export interface RequestIssue {
  path: string;
  message: string;
}

/**
 * A refused request's issues, at most `max`, as `path: message`. A union request (tcp:listen and
 * tcp:connect: a path, or an address) that matches no variant is reported by the variant it came
 * closest to (fewest issues), with that variant's own fields and messages: zod alone says only
 * "Invalid input" for the whole request.
 */
export function requestIssues(error: z.ZodError, max = 20): RequestIssue[] {
  const out: RequestIssue[] = [];
  const visit = (issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]) => {
    for (const issue of issues) {
      if (out.length >= max) return;
      const path = [...prefix, ...issue.path];
      if (issue.code === 'invalid_union' && issue.errors.length > 0) {
        const closest = issue.errors.reduce((best, e) => (e.length < best.length ? e : best));
        if (closest.length > 0) {
          visit(closest, path);
          continue;
        }
      }
      out.push({ path: path.map(String).join('.'), message: issue.message });
    }
  };
  visit(error.issues, []);
  return out;
}
