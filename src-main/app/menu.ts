/** The application menu (standard roles; About shows version and database). */
import { app, dialog, Menu, type MenuItemConstructorOptions } from 'electron';

export function installMenu(about: { version: string; databasePath: string }): void {
  const isMac = process.platform === 'darwin';
  const showAbout = (): void => {
    void dialog.showMessageBox({
      type: 'info',
      title: 'About PIE Audit',
      message: `PIE Audit ${about.version}`,
      detail: `Find and audit the images that compressed neural networks forget.\n\nDatabase: ${about.databasePath}`,
    });
  };
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    { label: 'File', submenu: [isMac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'toggleDevTools', visible: !app.isPackaged },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'About PIE Audit', click: showAbout }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
