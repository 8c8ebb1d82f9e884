import { h, type FunctionalComponent } from 'vue'

// A handful of line icons drawn here (24×24, currentColor), so the shell needs no icon package.

function icon(paths: string[]): FunctionalComponent {
  return () =>
    h(
      'svg',
      {
        viewBox: '0 0 24 24',
        width: '1em',
        height: '1em',
        fill: 'none',
        stroke: 'currentColor',
        'stroke-width': 2,
        'stroke-linecap': 'round',
        'stroke-linejoin': 'round',
        'aria-hidden': 'true',
      },
      paths.map((d) => h('path', { d })),
    )
}

/** Three bars: opens the menu drawer. */
export const MenuIcon = icon(['M4 6h16', 'M4 12h16', 'M4 18h16'])
/** A sun: light theme. */
export const SunIcon = icon([
  'M12 4V2',
  'M12 22v-2',
  'M4.9 4.9 3.5 3.5',
  'M20.5 20.5l-1.4-1.4',
  'M4 12H2',
  'M22 12h-2',
  'M4.9 19.1l-1.4 1.4',
  'M20.5 3.5l-1.4 1.4',
  'M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8z',
])
/** A moon: dark theme. */
export const MoonIcon = icon(['M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8z'])
/** A half-filled screen: follow the system. */
export const SystemIcon = icon(['M3 4h18v12H3z', 'M8 20h8', 'M12 16v4'])
/** Characters: the language switch. */
export const LanguageIcon = icon(['M4 5h8', 'M8 3v2', 'M10 5c-.5 4-3 7-6 8', 'M6 9c1 2 3 3.5 5 4', 'M13 21l4-9 4 9', 'M14.5 18h5'])
/** A person: the account menu. */
export const UserIcon = icon(['M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z', 'M4 21c0-4 4-6 8-6s8 2 8 6'])
