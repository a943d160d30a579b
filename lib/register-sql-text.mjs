// `node --import ./lib/register-sql-text.mjs`: lets the CDK app import `.sql` files as text.
import { register } from 'node:module';

register('./sql-text-hooks.mjs', import.meta.url);
