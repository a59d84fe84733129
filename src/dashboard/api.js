// The only module that talks to the server (STYLE.md). Every call is same-origin; when the
// user has signed in, the token (kept in sessionStorage: this tab only, gone when it closes)
// goes along as `Authorization: Bearer`. Failures become ApiError with the SPEC §6 error body.

const token_key = 'recruit-ledger.token';

export class ApiError extends Error {
  constructor(status, body) {
    const error = body && body.error ? body.error : {code: 'http_' + status, message: 'HTTP ' + status};
    super(error.message);
    this.status = status;
    this.code = error.code;
    this.details = error.details || {};
  }
}

export function token() { return sessionStorage.getItem(token_key); }
export function sign_in(value) { sessionStorage.setItem(token_key, value.trim()); }
export function sign_out() { sessionStorage.removeItem(token_key); }

/// `path` with the query parameters whose value is not empty.
export function url(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  }
  const text = query.toString();
  return text ? path + '?' + text : path;
}

function headers(extra = {}) {
  const out = {...extra};
  const held = token();
  if (held) out.Authorization = 'Bearer ' + held;
  return out;
}

async function send(path, options = {}) {
  const response = await fetch(path, {cache: 'no-store', credentials: 'omit', ...options,
                                      headers: headers(options.headers)});
  if (!response.ok) {
    let body = null;
    try { body = await response.json(); } catch { /* not JSON: keep the status */ }
    throw new ApiError(response.status, body);
  }
  return response;
}

export async function get_json(path, params = {}) {
  return (await send(url(path, params))).json();
}

/// POST a JSON body; answers {status, body}.
export async function post_json(path, body) {
  const response = await send(path, {method: 'POST', body: JSON.stringify(body),
                                     headers: {'Content-Type': 'application/json'}});
  return {status: response.status, body: await response.json()};
}

/// Whether the current token may append: POSTs an empty body, which the server refuses after
/// the role check and before anything is stored (403 for a role without append, else 400).
export async function can_append() {
  try {
    await send('/v1/streams/campaign-role-probe/events',
               {method: 'POST', body: '', headers: {'Content-Type': 'application/json'}});
    return true;
  } catch (failure) {
    return !(failure instanceof ApiError) || (failure.status !== 403 && failure.status !== 401);
  }
}

/// Downloads `href` (a same-origin CSV URL) with the token and saves it as `file_name`. A plain
/// link cannot carry the Bearer header, so signed-in downloads go through a Blob URL.
export async function download(href, file_name) {
  const blob = await (await send(href)).blob();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = file_name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

/// Server-Sent Events of GET /v1/subscribe from `from_position`, read with fetch streaming
/// (EventSource cannot send the Authorization header). Calls on_event(envelope) per event and
/// reconnects after a drop (resuming after the last position seen) until `signal` aborts.
export async function subscribe(from_position, on_event, on_state, signal) {
  let next = from_position;
  let delay = 1000;
  while (!signal.aborted) {
    try {
      const response = await send(url('/v1/subscribe', {from_position: next}), {signal});
      on_state('live');
      delay = 1000;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame.split('\n').filter((line) => line.startsWith('data: '))
                            .map((line) => line.slice(6)).join('\n');
          if (!data) continue;  // a heartbeat comment
          const event = JSON.parse(data);
          next = event.position + 1;
          on_event(event);
        }
      }
    } catch (failure) {
      if (signal.aborted) return;
      if (failure instanceof ApiError && (failure.status === 401 || failure.status === 403)) {
        on_state('refused');
        return;
      }
    }
    on_state('reconnecting');
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 30000);
  }
}
