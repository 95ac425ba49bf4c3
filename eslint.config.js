import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * The layering, checked on every import the TypeScript resolver can follow (`.js` specifiers resolve
 * to the `.ts` files), so a forbidden edge fails `npm run lint` and CI:
 *   src/chia/  the protocol core: imports only itself and npm packages other than Fastify;
 *   src/, routes/, schemas/, scripts/  reach the core only through its one face, src/chia/index.ts;
 *   schemas/   wire shapes: nothing of the app (src/) or of routes/ (the core's face is allowed);
 *   src/       nothing of routes/, except src/app.ts, which registers them;
 *   fake-node/ may use core internals, nothing of the app;
 *   nothing but test/ imports test/; no import cycles in src/, routes/, schemas/.
 */
const CORE = './src/chia';
const FASTIFY_PACKAGES = ['./node_modules/fastify', './node_modules/@fastify', './node_modules/fastify-plugin'];
const SHIPPED = ['./src', './routes', './schemas', './scripts', './fake-node', './fixtures', './bench'];

const layering = {
  'import-x/no-restricted-paths': [
    'error',
    {
      basePath: import.meta.dirname,
      zones: [
        {
          target: CORE,
          from: '.',
          except: [CORE, './node_modules'],
          message: 'The protocol core imports only itself and npm packages.',
        },
        { target: CORE, from: FASTIFY_PACKAGES, message: 'The protocol core is free of Fastify.' },
        {
          target: ['./src/*.ts', './src/!(chia)/**', './routes', './schemas', './scripts'],
          from: CORE,
          except: ['./index.ts'],
          message: 'Outside the core, import it through src/chia/index.ts.',
        },
        {
          target: './schemas',
          from: ['./src', './routes'],
          except: ['./chia/index.ts'],
          message: 'Schemas describe wire shapes: nothing of the app or of the routes (the core’s face is allowed).',
        },
        {
          target: ['./src/!(app).ts', './src/*/**'],
          from: './routes',
          message: 'Only src/app.ts registers routes.',
        },
        { target: './fake-node', from: './src', except: ['./chia'], message: 'The fake node uses the core, nothing of the app.' },
        { target: SHIPPED, from: './test', message: 'Nothing outside test/ imports test code.' },
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/generated-client/out/**', 'public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/**/*.ts', 'routes/**/*.ts', 'schemas/**/*.ts', 'scripts/**/*.ts', 'fake-node/**/*.ts', 'fixtures/**/*.ts', 'bench/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: `${import.meta.dirname}/tsconfig.json` })],
    },
    rules: layering,
  },
  {
    files: ['src/**/*.ts', 'routes/**/*.ts', 'schemas/**/*.ts'],
    rules: { 'import-x/no-cycle': 'error' },
  },
);
