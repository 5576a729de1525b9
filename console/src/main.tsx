import { render } from 'preact';
import { App } from './app.tsx';
import { adoptPortalLink } from './session.ts';

const root = document.getElementById('app');
if (!root) throw new Error('The console page has no #app element.');
// Before the first render, so the app starts signed in and the token has already left the URL.
adoptPortalLink();
render(<App />, root);
