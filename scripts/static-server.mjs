// A plain static file server, as the simplest hosts behave (python3 -m http.server, nginx's
// `try_files $uri $uri/`): files as they are, a folder's index.html, a folder named without its
// slash redirected to it (query kept), nothing else. No rewrites, no fallback page, and no
// special headers (so no cross-origin isolation). The end-to-end tests serve build/ with it.
//
//   node scripts/static-server.mjs <folder> <port>
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const [folder, port] = process.argv.slice(2);
if (!folder || !port) {
	console.error('usage: node scripts/static-server.mjs <folder> <port>');
	process.exit(2);
}
const root = resolve(folder);

const TYPES = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript',
	'.mjs': 'text/javascript',
	'.css': 'text/css',
	'.json': 'application/json',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.wasm': 'application/wasm',
	'.md': 'text/markdown; charset=utf-8'
};

/** The file's stats, or null when there is none. */
const statOf = (path) => stat(path).catch(() => null);

createServer(async (req, res) => {
	const url = new URL(req.url ?? '/', 'http://localhost');
	let path;
	try {
		path = join(root, decodeURIComponent(url.pathname));
	} catch {
		path = null;
	}
	if (!path || (path !== root && !path.startsWith(root + sep))) {
		res.writeHead(400).end();
		return;
	}
	let info = await statOf(path);
	if (info?.isDirectory()) {
		if (!url.pathname.endsWith('/')) {
			res.writeHead(301, { location: `${url.pathname}/${url.search}` }).end();
			return;
		}
		path = join(path, 'index.html');
		info = await statOf(path);
	}
	if (!info?.isFile()) {
		res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
		return;
	}
	res.writeHead(200, {
		'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
		'content-length': info.size
	});
	if (req.method === 'HEAD') res.end();
	else createReadStream(path).pipe(res);
}).listen(Number(port), () => console.log(`serving ${root} on http://localhost:${port}/`));
