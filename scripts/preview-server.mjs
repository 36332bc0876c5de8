// `vite preview` of the built site, for scripts (the benchmark). `npx` runs vite as a child
// of its own, so killing the spawned process would end npx and leave vite serving: the
// server gets a process group of its own, and stopping it signals the whole group. It is
// stopped on SIGINT and SIGTERM, and at exit whatever the reason (an error included).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

/**
 * Starts the server on `port` (the site built in this repository) and waits until it answers.
 * @returns {Promise<{ url: string, pid: number, stop: () => void }>}
 */
export async function startPreview(port, { timeoutMs = 60_000 } = {}) {
	const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort'], {
		cwd: fileURLToPath(new URL('..', import.meta.url)), // the repository, wherever this runs from
		stdio: 'ignore',
		detached: true // its own process group, led by npx: -pid names the group
	});
	let exited = false;
	server.once('exit', () => (exited = true));
	server.unref(); // a forgotten server does not keep this process alive; 'exit' below ends it

	let stopped = false;
	const stop = () => {
		if (stopped) return;
		stopped = true;
		process.off('exit', stop);
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
		try {
			process.kill(-server.pid, 'SIGTERM');
		} catch (e) {
			if (e.code !== 'ESRCH') throw e; // ESRCH: the group is already gone
		}
	};
	/** Ends the group, then exits as the signal would have. */
	function onSignal(signal) {
		stop();
		process.exit(128 + constants.signals[signal]);
	}
	process.on('exit', stop);
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);

	const url = `http://localhost:${port}`;
	try {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			if (exited) throw new Error(`vite preview on port ${port} exited (port taken, or no build?)`);
			try {
				await fetch(url, { signal: AbortSignal.timeout(2000) });
				break;
			} catch {
				if (Date.now() > deadline) throw new Error(`vite preview on port ${port} did not answer`);
				await new Promise((r) => setTimeout(r, 250));
			}
		}
	} catch (e) {
		stop();
		throw e;
	}
	return { url, pid: server.pid, stop };
}
