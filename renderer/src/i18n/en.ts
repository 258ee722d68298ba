/**
 * The English catalog: every text the UI shows, by key. The Chinese catalog must have the same
 * keys (the compiler checks), so a screen cannot ship half-translated.
 */
export const en = {
  'app.brand': 'Commissioner',
  'app.skipToContent': 'Skip to content',
  'app.mainNav': 'Main',
  'nav.dashboard': 'Dashboard',
  'nav.ports': 'Ports',
  'nav.provision': 'Provision',
  'nav.station': 'Station',
  'nav.devices': 'Devices',
  'nav.products': 'Products',
  'nav.assets': 'Asset tree',
  'nav.hub': 'Hub',
  'nav.certificates': 'Certificates',
  'nav.sync': 'Sync',
  'nav.settings': 'Settings',
  'nav.logs': 'Logs',

  'theme.toggle': 'Theme: {theme}',
  'theme.system': 'system',
  'theme.light': 'light',
  'theme.dark': 'dark',

  'connection.connecting': 'Connecting to the station…',
  'connection.open': 'Connected',
  'connection.reconnecting': 'Connection lost: reconnecting…',
  'connection.unauthorized': 'The station restarted: open the new URL it printed.',

  'error.title': 'Error {code}',
  'error.whatToDo': 'What to do: {hint}',
  'error.dismiss': 'Dismiss',
  'boundary.title': 'This screen failed',
  'boundary.retry': 'Try again',

  'form.submit': 'Apply',
  'form.submitting': 'Working…',
  'form.invalid': 'Check the highlighted fields.',

  'progress.label': '{label}: {percent}%',
  'progress.indeterminate': '{label}: working…',

  'placeholder.body': 'This screen arrives with its capability.',

  'settings.title': 'Settings',
  'settings.preferences': 'Preferences',
  'settings.language': 'Language',
  'settings.theme': 'Theme',
  'settings.about': 'About',
  'settings.app': 'Commissioner',
  'settings.host': 'Running as',
  'settings.dataDir': 'Data folder',
  'settings.stationId': 'Station id',
  'settings.node': 'Node.js',
  'settings.electron': 'Electron',
  'settings.electronNone': 'not in use (headless station)',
  'settings.sqlite': 'SQLite',

  'logs.title': 'Logs',
  'logs.filter': 'Filter',
  'logs.limit': 'Lines',
  'logs.minLevel': 'Lowest level',
  'logs.anyLevel': 'any',

  'dashboard.title': 'Dashboard',
  'dashboard.station': 'This station',
  'dashboard.uptime': 'Up for',
  'dashboard.version': 'Version',
  'dashboard.host': 'Running as',
  'dashboard.stationId': 'Station id',
  'dashboard.logRate': 'Log lines per second',
  'dashboard.warnings': 'Warnings and errors',
  'dashboard.devicesByState': 'Devices by state',
  'dashboard.devicesByProduct': 'Devices by product',
  'dashboard.count': '{count}',
  'dashboard.noDevices': 'No devices yet.',
  'dashboard.deviceTotal': '{count} devices',

  'language.en': 'English',
  'language.zh-CN': '中文',
} as const;

export type MessageKey = keyof typeof en;
