import './zod-config';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { startBridge } from './bridge/bridge';
import { electronApi } from './bridge/electron-transport';
import { startSession } from './components/session/start-session';
import { installShortcuts } from './shortcuts/install-shortcuts';
import { startTheme } from './theme/theme';
import './fonts.css';
import './styles.css';
import './styles/theme.css';
import './styles/desktop.css';
import './styles/messages.css';
import './styles/session.css';
import './components/rules/rules.css';
import './components/exec/exec.css';
import './components/scripts/scripts.css';

startTheme();
startSession();
startBridge();
installShortcuts(electronApi());
createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
