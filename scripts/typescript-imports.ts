// Lets `node --experimental-transform-types` run the repository's TypeScript from source for
// scripts (make chart): maps NodeNext-style `./x.js` specifiers to `./x.ts` when that file exists.
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

registerHooks({
  resolve(specifier, context, nextResolve) {
    const parent = context.parentURL;
    if (
      specifier.startsWith('.') &&
      specifier.endsWith('.js') &&
      parent &&
      !parent.includes('/node_modules/')
    ) {
      const typescript = new URL(specifier.replace(/\.js$/, '.ts'), parent);
      if (existsSync(fileURLToPath(typescript))) return nextResolve(typescript.href, context);
    }
    return nextResolve(specifier, context);
  },
});
