import { version } from '../../package.json';

export const APP_NAME = 'Heirloom';
export const APP_VERSION: string = version;
