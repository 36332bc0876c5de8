import { defineConfig, devices } from '@playwright/test';

// Debian's Chromium, never a downloaded browser. WebGPU is on (SwiftShader in headless
// Chromium) so the pipeline's WebGPU tests can run; the network stays closed.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// The site on plain static hosts (no rewrites, no headers: one thread), at the domain's root
// and under a sub-path as on GitHub Pages project sites (a second build, with BASE_PATH).
const STATIC_HOST = 'http://localhost:4180/';
const SUB_PATH = 'http://localhost:4181/repo/';
const staticHost = /static-host\.spec\.ts/;

export default defineConfig({
	testDir: 'tests/e2e',
	outputDir: 'test-results',
	fullyParallel: true,
	workers: process.env.CI ? 2 : undefined,
	retries: 0,
	reporter: [['list']],
	// Live-model tests wait for start-up and several generations: generous on a slow browser.
	timeout: 180_000,
	// Started one after the other: the first builds both sites (the root and the /repo one, in
	// their own output folders, side by side), the others serve what it built.
	webServer: [
		{
			command: 'bash scripts/build-test-sites.sh && npx vite preview --port 4173 --strictPort',
			port: 4173,
			reuseExistingServer: !process.env.CI,
			timeout: 240_000
		},
		{
			command: 'node scripts/static-server.mjs build 4180',
			port: 4180,
			reuseExistingServer: !process.env.CI
		},
		{
			command: 'node scripts/static-server.mjs build-subpath/site 4181',
			port: 4181,
			reuseExistingServer: !process.env.CI
		}
	],
	use: {
		baseURL: 'http://localhost:4173',
		// The site's service worker would answer requests before page.route() sees them
		// (tests of missing and corrupt model files); offline.spec.ts turns it on.
		serviceWorkers: 'block',
		trace: 'off',
		launchOptions: {
			executablePath: chromium,
			args: [
				'--no-sandbox',
				'--enable-unsafe-webgpu',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--no-first-run',
				'--disable-quic'
			]
		}
	},
	projects: [
		{
			name: 'chromium',
			testIgnore: staticHost,
			use: { ...devices['Desktop Chrome'], channel: undefined }
		},
		{
			name: 'static-host',
			testMatch: staticHost,
			use: { ...devices['Desktop Chrome'], channel: undefined, baseURL: STATIC_HOST }
		},
		{
			name: 'static-host-subpath',
			testMatch: staticHost,
			use: { ...devices['Desktop Chrome'], channel: undefined, baseURL: SUB_PATH }
		}
	]
});
