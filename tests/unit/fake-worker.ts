/** Stands in for the inference worker in unit tests: records what it is sent, replies when told. */
import type { FromWorker, ToWorker } from '../../src/lib/pipeline/protocol';

export class FakeWorker {
	onmessage: ((ev: MessageEvent<FromWorker>) => void) | null = null;
	onerror: ((ev: Event) => void) | null = null;
	onmessageerror: ((ev: MessageEvent) => void) | null = null;
	sent: ToWorker[] = [];
	terminated = false;
	postMessage(m: ToWorker) {
		this.sent.push(m);
	}
	terminate() {
		this.terminated = true;
	}
	reply(m: FromWorker) {
		this.onmessage?.({ data: m } as MessageEvent<FromWorker>);
	}
	/** What a browser does when the worker throws where nothing catches it. */
	crash() {
		this.onerror?.(new Event('error'));
	}
	/** Every message of one kind, in the order sent. */
	all<K extends ToWorker['kind']>(kind: K) {
		return this.sent.filter((m): m is Extract<ToWorker, { kind: K }> => m.kind === kind);
	}
	last<K extends ToWorker['kind']>(kind: K) {
		return this.all(kind).at(-1)!;
	}
}
