/**
 * App starter kits, the seed's own suggestion: a database or app with its data on a PVC,
 * the right mount path and data-dir settings, credentials in a Secret. What each kit runs
 * lives in templates/app/<name>.yaml; this file adds what the CLI needs to know.
 */
import type { AppPreset, PresetFlag } from './types.js';

const IMAGE: PresetFlag = { flags: '--image <ref>', key: 'image', description: "container image (default: the kit's tested image)" };
const MOUNT_PATH: PresetFlag = { flags: '--mount-path <path>', key: 'mountPath', description: 'where the app keeps its files (uploads kit)', defaultValue: '/app/uploads' };

const kit = (name: string, description: string, extra: PresetFlag[] = []): AppPreset => ({ kind: 'app', name, description, flags: [IMAGE, ...extra] });

export const APP_PRESETS: readonly AppPreset[] = [
  kit('postgres', 'PostgreSQL, PGDATA in a subfolder of the volume'),
  kit('mysql', 'MySQL, data in /var/lib/mysql'),
  kit('mariadb', 'MariaDB, data in /var/lib/mysql'),
  kit('mongodb', 'MongoDB, data in /data/db'),
  kit('redis', 'Redis with append-only persistence in /data'),
  kit('uploads', "a web app's upload folder (bring the image with --image)", [MOUNT_PATH]),
];
