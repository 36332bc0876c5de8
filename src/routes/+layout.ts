// Every page is prerendered to static HTML (adapter-static).
export const prerender = true;
// Each page is a folder with its index.html (/clip/index.html), which every static host serves
// at /clip/ and redirects /clip to, query kept. A page file beside a folder of the same name
// (clip.html and clip/__data.json) makes plain hosts answer /clip with the folder instead.
export const trailingSlash = 'always';
