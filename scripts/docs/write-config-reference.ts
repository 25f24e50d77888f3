/** `npm run docs:config`: writes docs/configuration.md from engine/config/settings.ts. */
import { writeFileSync } from 'node:fs';
import { configurationReference } from '../../engine/config/reference.js';

const target = new URL('../../../docs/configuration.md', import.meta.url);
writeFileSync(target, configurationReference());
process.stdout.write(`wrote ${target.pathname}\n`);
