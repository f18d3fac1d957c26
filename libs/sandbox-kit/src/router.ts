// A tiny method + path router: `/services/rest/record/v1/:type/:id` style patterns, one segment
// per `:name`. Enough for imitating REST surfaces without pulling in a framework.
import type { RouteHandler } from './http-types.js';

interface Route {
  method: string;
  segments: string[];
  handler: RouteHandler;
}

export interface RouteMatch {
  handler: RouteHandler;
  params: Record<string, string>;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: RouteHandler): this {
    this.routes.push({ method: method.toUpperCase(), segments: splitPath(pattern), handler });
    return this;
  }

  match(method: string, path: string): RouteMatch | undefined {
    const segments = splitPath(path);
    for (const route of this.routes) {
      if (route.method !== method.toUpperCase() || route.segments.length !== segments.length) continue;
      const params = matchSegments(route.segments, segments);
      if (params) return { handler: route.handler, params };
    }
    return undefined;
  }
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let index = 0; index < pattern.length; index += 1) {
    const expected = pattern[index];
    if (expected.startsWith(':')) {
      try {
        params[expected.slice(1)] = decodeURIComponent(actual[index]);
      } catch {
        return undefined;
      }
    } else if (expected !== actual[index]) {
      return undefined;
    }
  }
  return params;
}
