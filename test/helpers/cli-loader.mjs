// Runs the CLI of a private build ($COMMISSIONER_BUILD_OUT/main/cli.js), like bin/commissioner.js does for out/.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const { main } = await import(pathToFileURL(resolve(process.env.COMMISSIONER_BUILD_OUT, 'main/cli.js')).href);
await main(process.argv);
