import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './create-bridge.js';

// Runs sandboxed with context isolation: exposes the contract's operations by name and nothing
// else — never ipcRenderer itself (Electron's context-isolation guide).
contextBridge.exposeInMainWorld('companion', createBridge(ipcRenderer));
