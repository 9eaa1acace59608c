// Talking to the halls JSON API from the pages: the only back end they have.

// A refusal from the API: its status and the words of its problem body (RFC 9457).
export class ApiProblem extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
    this.detail = detail;
  }
}

// GET path (with params, leaving out empty ones) and the parsed JSON reply; throws an
// ApiProblem when the API refuses, or when it cannot be reached.
export async function apiGet(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.append(name, value);
  }
  const url = query.toString() ? `${path}?${query}` : path;
  let reply;
  try {
    reply = await fetch(url, { headers: { Accept: 'application/json' } });
  } catch {
    throw new ApiProblem(0, 'The service cannot be reached. Check your connection and try again.');
  }
  if (reply.ok) return reply.json();
  let detail = `The service refused the request (${reply.status}).`;
  try {
    const problem = await reply.json();
    if (typeof problem.detail === 'string' && problem.detail) detail = problem.detail;
  } catch {
    // Not a problem body: keep the status alone.
  }
  throw new ApiProblem(reply.status, detail);
}
