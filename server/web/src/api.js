// Talking to the halls JSON API from the pages: the only back end they have. Requests
// carry the session cookie (same origin); the server refuses a cookie write from any other
// site, so nothing more is needed against cross-site requests.

// A refusal from the API: its status, the words of its problem body (RFC 9457), and the
// body itself (conflicts, suggestions).
export class ApiProblem extends Error {
  constructor(status, detail, body = {}) {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.body = body;
  }
}

function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.append(name, value);
  }
  return query.toString() ? `${path}?${query}` : path;
}

async function send(method, url, body) {
  const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let reply;
  try {
    reply = await fetch(url, init);
  } catch {
    throw new ApiProblem(0, 'The service cannot be reached. Check your connection and try again.');
  }
  if (reply.ok) {
    const text = reply.status === 204 ? '' : await reply.text();
    return { reply, data: text ? JSON.parse(text) : null };
  }
  let detail = `The service refused the request (${reply.status}).`;
  let problem = {};
  try {
    problem = await reply.json();
    if (typeof problem.detail === 'string' && problem.detail) detail = problem.detail;
  } catch {
    // Not a problem body: keep the status alone.
  }
  throw new ApiProblem(reply.status, detail, problem);
}

// GET path (with params, leaving out empty ones): the parsed JSON reply, or null for 204.
// Throws an ApiProblem when the API refuses, or when it cannot be reached.
export async function apiGet(path, params = {}) {
  return (await send('GET', withQuery(path, params))).data;
}

// POST, PATCH or DELETE with a JSON body (or none): the parsed reply, or null for 204.
export async function apiSend(method, path, body) {
  return (await send(method, path, body)).data;
}

// Every item of a paged list (GET path), following Link: rel="next" up to max items.
// Returns { items, more }, more being true when the list went on past max.
export async function apiList(path, params = {}, max = 500) {
  const items = [];
  let url = withQuery(path, params);
  while (url && items.length < max) {
    const { reply, data } = await send('GET', url);
    items.push(...data);
    const link = reply.headers.get('Link') || '';
    const next = /<([^>]+)>\s*;\s*rel="next"/.exec(link);
    url = next ? next[1] : null;
  }
  return { items: items.slice(0, max), more: url !== null || items.length > max };
}

// The feed's address as a calendar app wants it: the https (or http) address on this
// host, and its webcal: twin.
export function feedAddress(path) {
  return new URL(path, location.origin).href;
}
