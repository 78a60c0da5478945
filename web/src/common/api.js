// The one way the pages talk to mashgraph: POST /graphql with the session's bearer token and purpose.
// The API applies the sharing policy and writes the audit entry; the pages add nothing and keep nothing.

export class ApiError extends Error {
  constructor(message, {code = 'ERROR', status = 0, requestId = ''} = {}) {
    super(message);
    this.code = code;
    this.status = status;
    this.requestId = requestId;
  }
}

/**
 * Run one GraphQL operation. Returns {data, redactions, errors}: partial errors come back with the data;
 * an answer without data (401, 403, 504, a refused operation) throws an ApiError.
 */
export async function gql(session, query, variables = {}) {
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        // No token: a sign-in proxy in front of mashgraph adds it (see the README); else the API answers 401.
        ...(session.token ? {Authorization: `Bearer ${session.token}`} : {}),
        'X-Purpose': session.purpose,
      },
      body: JSON.stringify({query, variables}),
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
    });
  } catch (error) {
    throw new ApiError(`The server could not be reached (${error.message}).`, {code: 'NETWORK'});
  }
  let payload;
  try {
    payload = await response.json();
  } catch {
    throw new ApiError(`The server answered HTTP ${response.status} without a GraphQL response.`,
      {code: 'BAD_RESPONSE', status: response.status});
  }
  const errors = payload.errors || [];
  const extensions = payload.extensions || {};
  if (!payload.data || Object.values(payload.data).every((v) => v === null) && errors.length) {
    const first = errors[0] || {};
    const code = (first.extensions && first.extensions.code) || `HTTP_${response.status}`;
    throw new ApiError(first.message || `HTTP ${response.status}`,
      {code, status: response.status, requestId: (first.extensions && first.extensions.requestId) || extensions.requestId});
  }
  return {data: payload.data, redactions: extensions.redactions || [], errors, requestId: extensions.requestId};
}

/** What a person can do about an error, in words. */
export function explain(error) {
  if (!(error instanceof ApiError)) return `Something went wrong: ${error.message}`;
  const ref = error.requestId ? ` (request ${error.requestId})` : '';
  switch (error.code) {
    case 'UNAUTHENTICATED': return `Your token was refused: it is missing, expired or not valid here. Sign in again.${ref}`;
    case 'PURPOSE_REQUIRED': return `Choose a purpose the sharing policy knows.${ref}`;
    case 'FORBIDDEN': return `The sharing policy does not allow this for your role and purpose: ${error.message}${ref}`;
    case 'TIMEOUT': return `The request took too long. Try fewer hops or a smaller limit.${ref}`;
    case 'AUDIT_UNAVAILABLE': return `The audit trail could not be written, so nothing was shown. Try again later.${ref}`;
    default: return `${error.message}${ref}`;
  }
}

/** Redactions ({path, reason, field}) as a map from a dotted path to the reason, for 'withheld' labels. */
export function redactionIndex(redactions) {
  const index = new Map();
  for (const r of redactions || []) index.set((r.path || []).join('.'), r.reason);
  return index;
}
