import { defineConfig, devices } from '@playwright/test';

// Debian's Chromium, never a downloaded browser. WebGPU is on (SwiftShader in headless
// Chromium) so the pipeline's WebGPU tests can run; the network stays closed.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
	testDir: 'tests/e2e',
	outputDir: 'test-results',
	fullyParallel: true,
	workers: process.env.CI ? 2 : undefined,
	retries: 0,
	reporter: [['list']],
	// Live-model tests wait for start-up and several generations: generous on a slow browser.
	timeout: 180_000,
	webServer: {
		command: 'npm run build && npx vite preview --port 4173 --strictPort',
		port: 4173,
		reuseExistingServer: !process.env.CI,
		timeout: 180_000
	},
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
	projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], channel: undefined } }]
});
