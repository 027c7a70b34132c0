import { isolatedTopology } from '@caravan/contracts';
import { agencyPermissions, natsServerConfig } from './nats-config.js';

const pw = 'a-long-enough-password';
const credentials = {
  hub: { env: 'CARAVAN_NATS_HUB_PASSWORD' },
  agencies: { 'TJ-DCA': { publisher: pw, admin: { env: 'CARAVAN_NATS_TJ_DCA_ADMIN_PASSWORD' } } },
};

describe('natsServerConfig', () => {
  it('writes environment references unquoted so nats-server resolves them, and literals quoted', () => {
    const text = natsServerConfig({ agencies: ['TJ-DCA'], credentials });
    expect(text).toContain('{ user: "caravan-hub", password: $CARAVAN_NATS_HUB_PASSWORD }');
    expect(text).toContain('user: "TJ-DCA-publisher", password: "a-long-enough-password"');
    expect(text).toContain('user: "TJ-DCA-admin", password: $CARAVAN_NATS_TJ_DCA_ADMIN_PASSWORD');
  });

  it('denies policy.set to the publisher only', () => {
    const t = isolatedTopology('x1');
    expect(agencyPermissions(t, 'TJ-DCA', 'publisher').publish.deny).toEqual(['x1.caravan.cmd.TJ-DCA.policy.set']);
    expect(agencyPermissions(t, 'TJ-DCA', 'admin').publish.deny).toEqual([]);
  });

  it('confines an agency to its own commands, durable, acks, inbox and copies', () => {
    const p = agencyPermissions(isolatedTopology('x1'), 'TJ-DCA', 'admin');
    expect(p.publish.allow).toEqual([
      'x1.caravan.cmd.TJ-DCA.>',
      '$JS.API.CONSUMER.INFO.X1_CARAVAN_SHARE.X1_share_TJ-DCA',
      '$JS.API.CONSUMER.MSG.NEXT.X1_CARAVAN_SHARE.X1_share_TJ-DCA',
      '$JS.ACK.X1_CARAVAN_SHARE.X1_share_TJ-DCA.>',
    ]);
    expect(p.subscribe.allow).toEqual(['_INBOX_TJ-DCA.>', 'x1.caravan.share.TJ-DCA.>']);
  });

  it('refuses a bad agency code, a duplicate, missing credentials and a weak or unquotable password', () => {
    expect(() => natsServerConfig({ agencies: ['tj-dca'], credentials })).toThrow(/does not match/);
    expect(() => natsServerConfig({ agencies: ['TJ-DCA', 'TJ-DCA'], credentials })).toThrow(/twice/);
    expect(() => natsServerConfig({ agencies: ['KZ-BS'], credentials })).toThrow(
      /no NATS credentials for agency KZ-BS/,
    );
    const weak = { ...credentials, hub: 'short' };
    expect(() => natsServerConfig({ agencies: [], credentials: weak })).toThrow(/12 characters/);
    const quoted = { ...credentials, hub: 'has-a-"quote"-inside' };
    expect(() => natsServerConfig({ agencies: [], credentials: quoted })).toThrow(/quote/);
  });
});
