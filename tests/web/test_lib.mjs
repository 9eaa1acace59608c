// The library itself: its table of demo users is the demo's (cli/demo.c), and signIn
// signs each of them in.
import { USERS, check, pageFetch, signIn, test } from './lib.mjs';

async function namesById(server, path) {
  const list = await (await fetch(server.base + path)).json();
  return new Map(list.map((r) => [r.id, r.name]));
}

test('USERS is the demo\'s users, and signIn signs each in', async ({ page, context, server }) => {
  const venues = await namesById(server, '/api/v1/venues');
  const groups = await namesById(server, '/api/v1/groups');
  for (const [key, user] of Object.entries(USERS)) {
    await context.clearCookies();
    const me = await signIn(page, user.email);
    const seen = {
      email: me.email,
      name: me.name,
      role: me.role,
      venues: me.venues.map((id) => venues.get(id)).sort(),
      groups: me.groups.map((id) => groups.get(id)).sort(),
    };
    const want = { venues: [], groups: [], ...user };
    want.venues = [...want.venues].sort();
    want.groups = [...want.groups].sort();
    check(JSON.stringify(seen) === JSON.stringify({ email: want.email, name: want.name, role: want.role, venues: want.venues, groups: want.groups }),
      `USERS.${key} signs in and is ${user.name}, ${user.role}`, { seen, want });
  }
  const out = await pageFetch(page, 'DELETE', '/api/v1/session');
  check(out.status === 204, 'the last of them signs out', out);
});
