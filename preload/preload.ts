import { contextBridge } from 'electron';
import { COMPANION_VERSION } from '../common/version.js';

// Exposes named operations only, never ipcRenderer itself (Electron's context-isolation guide).
contextBridge.exposeInMainWorld('companionInfo', { version: COMPANION_VERSION });
