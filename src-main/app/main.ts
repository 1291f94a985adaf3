/**
 * Electron entry (built to out/main/index.js). A thin shell: it opens the database,
 * creates the one ApiService, wires it to IPC and opens the window. Everything the app
 * does lives in src-main/core, which never imports electron.
 */
import path from 'node:path';
import { app, BrowserWindow, dialog } from 'electron';
import { ApiService } from '../core/api/service.js';
import { openDatabase, type Db } from '../core/db/database.js';
import { errorMessage } from '../core/errors.js';
import { defaultDatabasePath } from '../core/paths.js';
import { APP_VERSION } from '../core/version.js';
import { registerApiIpc } from './ipc.js';
import { installMenu } from './menu.js';
import { registerPrivilegedSchemes, serveRenderer } from './protocol.js';
import { hardenSession, hardenWebContents } from './security.js';
import { createMainWindow } from './window.js';

const here = import.meta.dirname;
const PRELOAD = path.join(here, '..', 'preload', 'preload.cjs');
const RENDERER_DIR = path.join(here, '..', 'renderer');

registerPrivilegedSchemes();
hardenWebContents();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void start().catch((error: unknown) => {
    dialog.showErrorBox('PIE Audit cannot start', errorMessage(error));
    app.exit(1);
  });
}

async function start(): Promise<void> {
  await app.whenReady();
  const databasePath = path.resolve(process.env.PIE_AUDIT_DB ?? defaultDatabasePath());
  let db: Db;
  try {
    db = openDatabase(databasePath);
  } catch (error) {
    dialog.showErrorBox('PIE Audit cannot open its database', `${databasePath}\n\n${errorMessage(error)}`);
    app.exit(1);
    return;
  }
  let win: BrowserWindow | undefined;
  const service = new ApiService(db, {
    databasePath,
    carrier: 'electron',
    chooseExportPath: async (fileName, format) => {
      const options = {
        title: 'Export',
        defaultPath: path.join(app.getPath('downloads'), fileName),
        filters: [{ name: format.toUpperCase(), extensions: [format] }],
      };
      const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? undefined : result.filePath;
    },
    chooseManifestPath: async () => {
      const options: Electron.OpenDialogOptions = { title: 'Models manifest', properties: ['openFile'], filters: [{ name: 'Manifest', extensions: ['json'] }] };
      const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return result.canceled ? undefined : result.filePaths[0];
    },
    chooseModelFiles: async () => {
      const options: Electron.OpenDialogOptions = { title: 'Model files', properties: ['openFile', 'multiSelections'], filters: [{ name: 'ONNX or TensorFlow.js', extensions: ['onnx', 'json'] }] };
      const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return result.canceled ? undefined : result.filePaths;
    },
  });

  hardenSession();
  serveRenderer(RENDERER_DIR, service);
  installMenu({ version: APP_VERSION, databasePath });

  const open = (): void => {
    win = createMainWindow(PRELOAD);
    win.on('closed', () => (win = undefined));
  };
  registerApiIpc(service, () => win?.webContents);
  const stopWatching = service.watchDatabase();
  open();

  app.on('second-instance', () => {
    if (!win) return open();
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    stopWatching();
    db.close();
  });
}
