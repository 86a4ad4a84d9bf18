import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const HEX_KEY = 'ab'.repeat(32);
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'kopek-config-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** Production settings that pass, to vary one variable at a time. */
function production(overrides: Record<string, string | undefined> = {}) {
  return {
    NODE_ENV: 'production',
    KOPEK_MASTER_KEY: HEX_KEY,
    SMTP_URL: 'smtp://mail.example.ru:587',
    DATABASE_URL: 'postgres://kopek@db/kopek',
    KOPEK_DATA_DIR: dataDir,
    ...overrides,
  };
}

function configError(environment: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  it('accepts a complete production environment', () => {
    const config = loadConfig(production({ PORT: '8080', PUBLIC_URL: 'https://pay.example.ru/' }));
    expect(config).toMatchObject({
      nodeEnv: 'production',
      isProduction: true,
      port: 8080,
      publicUrl: 'https://pay.example.ru',
      databaseUrl: 'postgres://kopek@db/kopek',
      smtpUrl: 'smtp://mail.example.ru:587',
      logLevel: 'info',
      warnings: [],
    });
    expect(config.masterKey.equals(Buffer.from(HEX_KEY, 'hex'))).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
    expect(existsSync(path.join(dataDir, 'master.key'))).toBe(false);
  });

  it.each(['abc', '0', '65536', '80.5', '-1', ' 80'])('refuses PORT=%j, naming the variable', (port) => {
    expect(configError(production({ PORT: port })).message).toMatch(/\bPORT\b/);
  });

  it.each(['not a url', 'mysql://db/kopek', 'http://db/kopek'])('refuses DATABASE_URL=%j', (url) => {
    expect(configError(production({ DATABASE_URL: url })).message).toMatch(/DATABASE_URL/);
  });

  it.each(['pay.example.ru', 'ftp://pay.example.ru'])('refuses PUBLIC_URL=%j', (url) => {
    expect(configError(production({ PUBLIC_URL: url })).message).toMatch(/PUBLIC_URL/);
  });

  it('accepts postgresql:// too', () => {
    expect(loadConfig(production({ DATABASE_URL: 'postgresql://db/kopek' })).databaseUrl).toBe(
      'postgresql://db/kopek',
    );
  });

  it('requires KOPEK_MASTER_KEY in production and writes no key file', () => {
    const error = configError(production({ KOPEK_MASTER_KEY: undefined }));
    expect(error.message).toMatch(/KOPEK_MASTER_KEY/);
    expect(existsSync(path.join(dataDir, 'master.key'))).toBe(false);
  });

  it.each(['abcd', 'ab'.repeat(31), 'zz'.repeat(32)])(
    'refuses a master key that is not 32 bytes: %j',
    (key) => {
      expect(configError(production({ KOPEK_MASTER_KEY: key })).message).toMatch(/KOPEK_MASTER_KEY/);
    },
  );

  it('accepts a base64 master key', () => {
    const key = Buffer.alloc(32, 7);
    expect(loadConfig(production({ KOPEK_MASTER_KEY: key.toString('base64') })).masterKey.equals(key)).toBe(
      true,
    );
  });

  it('requires SMTP_URL in production', () => {
    expect(configError(production({ SMTP_URL: undefined })).message).toMatch(/SMTP_URL/);
    expect(configError(production({ SMTP_URL: 'https://mail.example.ru' })).message).toMatch(/SMTP_URL/);
  });

  it('refuses unknown NODE_ENV and LOG_LEVEL values', () => {
    expect(configError({ NODE_ENV: 'staging', KOPEK_DATA_DIR: dataDir }).message).toMatch(/NODE_ENV/);
    expect(configError(production({ LOG_LEVEL: 'verbose' })).message).toMatch(/LOG_LEVEL/);
  });

  it('generates a development key once in the data directory and reuses it', () => {
    const nested = path.join(dataDir, 'nested', 'data');
    const first = loadConfig({ NODE_ENV: 'development', KOPEK_DATA_DIR: nested });
    const keyFile = path.join(nested, 'master.key');
    expect(existsSync(keyFile)).toBe(true);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(first.masterKey.toString('hex'));
    expect(first.masterKey).toHaveLength(32);
    expect(first.warnings).toEqual([expect.stringContaining('KOPEK_MASTER_KEY is not set')]);
    const modified = statSync(keyFile).mtimeMs;

    const second = loadConfig({ NODE_ENV: 'development', KOPEK_DATA_DIR: nested });
    expect(second.masterKey.equals(first.masterKey)).toBe(true);
    expect(statSync(keyFile).mtimeMs).toBe(modified);
  });

  it('uses development defaults', () => {
    const config = loadConfig({ KOPEK_DATA_DIR: dataDir });
    expect(config).toMatchObject({
      nodeEnv: 'development',
      isProduction: false,
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:3000',
      databaseUrl: undefined,
      smtpUrl: undefined,
      dataDir,
    });
    expect(loadConfig({ NODE_ENV: 'test', KOPEK_DATA_DIR: dataDir }).logLevel).toBe('silent');
  });
});
