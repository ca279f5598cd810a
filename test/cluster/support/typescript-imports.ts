// Lets Node.js run this folder's TypeScript directly. Node 24 strips types by itself, but this
// repository writes relative imports as `./x.js` (NodeNext style), and nothing maps those to
// `./x.ts` outside tsc and jest. This hook does, for modules in this folder only.
// Used by `node --import ./test/cluster/support/typescript-imports.ts test/cluster/support/cli.ts`
// (make cluster-up) and by the jest globalSetup, which jest loads with Node's own loader.
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

const supportFolder = new URL('./', import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (
      specifier.startsWith('.') &&
      specifier.endsWith('.js') &&
      context.parentURL?.startsWith(supportFolder)
    ) {
      const typescript = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
      if (existsSync(fileURLToPath(typescript))) return nextResolve(typescript.href, context);
    }
    return nextResolve(specifier, context);
  },
});
