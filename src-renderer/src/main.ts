// The global stylesheet first, so that components' own styles come after it.
import './styles/global.css';
import { mount } from 'svelte';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('PIE Audit: #app element missing from index.html');

export default mount(App, { target });
