// Live peaks demo: connects to /v1/ws, shows the current peak and recent peaks (reorgs marked, heights
// linking to their block), and after a dropped connection reconnects with backoff and replays what it
// missed: the cursor (last_event_id, exact across reorgs) goes in the reconnect URL, so the server sends
// the replay right after hello, before any live peak. (A subscribe sent after hello could let a live peak
// arrive first; the page would then drop the replayed peaks below it as already seen.)
// The "Watch an address" panel first lists the address's unspent coins (POST /v1/coins/query, page by
// page), then subscribes to its coins on the same socket from the block that query was read at (its
// coin cursor), so the changes since arrive first and nothing is missed; it lists coins as they arrive
// and get spent, and after a reconnect it resumes from its coin cursor (see watchResume).
'use strict';

const MAX_ITEMS = 100;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10000;

const $ = (id) => document.getElementById(id);
const state = { lastId: null, lastHeight: null, attempt: 0, socket: null, replayAsked: false };
// Ids name places on the chain (height:hash:kind), not a count: a replay may resend an event already
// shown (same id), so the ids shown recently are remembered, and those events skipped.
const SEEN_MAX = 2000;
const seen = new Set();
function firstTime(id) {
  if (seen.has(id)) return false;
  seen.add(id);
  if (seen.size > SEEN_MAX) seen.delete(seen.values().next().value);
  return true;
}

function setStatus(kind, text, id = 'status') {
  const el = $(id);
  el.dataset.state = kind;
  el.textContent = text;
}

function timeOf(ms) {
  return new Date(ms).toLocaleTimeString();
}

/** A link to the block at `height` (the REST resource), showing the height. */
function blockLink(height) {
  const a = document.createElement('a');
  a.href = `/v1/blocks/${height}`;
  a.textContent = height.toLocaleString('en-US');
  a.title = `Block ${height} (JSON)`;
  return a;
}

function showPeak(peak) {
  $('peak-height').replaceChildren(blockLink(peak.height));
  $('peak-hash').textContent = peak.header_hash;
  $('peak-weight').textContent = BigInt(peak.weight).toLocaleString('en-US');
  $('peak-time').textContent = timeOf(peak.received_at);
}

function prepend(li, listId = 'recent') {
  const list = $(listId);
  list.prepend(li);
  while (list.children.length > MAX_ITEMS) list.lastElementChild.remove();
}

function cell(className, content, tag = 'span') {
  const el = document.createElement(tag);
  el.className = className;
  el.append(content);
  return el;
}

function addPeak(peak, id) {
  const li = document.createElement('li');
  li.className = 'peak';
  li.dataset.height = String(peak.height);
  li.dataset.hash = peak.header_hash;
  if (id !== null) li.dataset.id = String(id);
  li.append(cell('h', blockLink(peak.height)), cell('hash', peak.header_hash), cell('t', timeOf(peak.received_at)));
  li.querySelector('.hash').title = peak.header_hash;
  prepend(li);
}

/** Forgets everything shown: the server's replay that follows is shown as a new history. */
function startOver() {
  state.lastId = null;
  seen.clear();
  state.lastHeight = null;
  $('recent').replaceChildren();
  addNote('note', 'The gateway restarted: starting over');
}

function addNote(className, text, listId = 'recent') {
  const li = document.createElement('li');
  li.className = className;
  li.textContent = text;
  prepend(li, listId);
}

function onMessage(message) {
  switch (message.type) {
    case 'hello':
      state.attempt = 0;
      setStatus('live', 'Live');
      watchConnected();
      // First connect: the current peak. A reconnect gave its cursor in the URL: the replay follows.
      // The coin resume waits for the peak replay asked in the URL (its end is `subscribed`).
      if (!state.replayAsked) watchResume();
      if (state.lastId === null) {
        if (message.peak !== null) {
          showPeak(message.peak);
          addPeak(message.peak, message.last_event_id);
          if (message.last_event_id !== null) firstTime(message.last_event_id);
          state.lastHeight = message.peak.height;
        }
        state.lastId = message.last_event_id;
      }
      break;
    case 'peak':
      if (!firstTime(message.id)) return;
      state.lastId = message.id;
      state.lastHeight = message.data.height;
      showPeak(message.data);
      addPeak(message.data, message.id);
      break;
    case 'reorg': {
      // Without id: the reorg a coin resume met (this client's alone); it concerns the watched coins only.
      if (message.id === undefined) return watchReorg(message.data);
      if (!firstTime(message.id)) return;
      state.lastId = message.id;
      watchReorg(message.data);
      const { fork_point, rolled_back } = message.data;
      // The listed peaks of the abandoned branch are marked (only those not marked already).
      for (const li of document.querySelectorAll('#recent li.peak:not(.orphaned)')) {
        const height = Number(li.dataset.height);
        if (height >= rolled_back.from && height <= rolled_back.to) {
          li.classList.add('orphaned');
          li.title = 'No longer on the main chain';
        }
      }
      addNote('reorg', `Reorg: heights ${rolled_back.from}–${rolled_back.to} rolled back (fork point ${fork_point})`);
      break;
    }
    case 'gap': {
      const oldest = message.data.oldest_height;
      // The server holds heights we have shown, yet not our cursor: it restarted (new event ids), and
      // its chain may be another one (the demo's fake chain starts anew). Start over with what it holds.
      if (oldest === null || (state.lastHeight !== null && oldest <= state.lastHeight)) startOver();
      else addNote('note', `Some peaks were missed: the server keeps peaks from height ${oldest} on`);
      break;
    }
    case 'coins':
      watchCoins(message);
      break;
    case 'unsubscribed':
      if (message.topics.includes('coins')) watch.draining = false;
      break;
    case 'subscribed':
      if (message.topics.includes('coins')) watchSubscribed(message);
      else if (state.replayAsked) {
        state.replayAsked = false;
        // A replay was just asked at connect: the gateway allows one per second per connection.
        setTimeout(watchResume, REPLAY_INTERVAL_MS);
      }
      break;
    case 'error':
      console.warn('gateway:', message.code, message.message);
      watchError(message);
      break;
    default:
      break;
  }
}

function connect() {
  const url = new URL('/v1/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (state.lastId !== null) url.searchParams.set('last_event_id', String(state.lastId));
  state.replayAsked = state.lastId !== null;
  const socket = new WebSocket(url);
  state.socket = socket;
  socket.addEventListener('message', (event) => {
    try {
      onMessage(JSON.parse(event.data));
    } catch (error) {
      console.error('bad message', error);
    }
  });
  socket.addEventListener('close', () => {
    if (state.socket !== socket) return;
    state.socket = null;
    // Capped exponential backoff with full jitter, so a restarted gateway is not hit all at once.
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** state.attempt);
    const delay = Math.round(ceiling / 2 + Math.random() * ceiling / 2);
    state.attempt++;
    setStatus('reconnecting', `Disconnected; reconnecting in ${(delay / 1000).toFixed(1)} s`);
    setTimeout(connect, delay);
  });
}

// ---- Watch an address ----------------------------------------------------------------------------

/** Coins listed at most (the newest by height); older ones are forgotten. */
const MAX_COINS = 100;
/** The gateway allows one replay (a peak or coin cursor) per second per connection. */
const REPLAY_INTERVAL_MS = 1000;
/** After a transient refusal (COINS_UNAVAILABLE, REPLAY_TOO_SOON) the watch is asked again this much later. */
const WATCH_RETRY_MS = 2000;
const MOJOS_PER_XCH = 10n ** 12n;
const XCH_DECIMALS = 12;
const COIN_ID_SHOWN = 8;
const WATCH_ERRORS = new Set(['INVALID_COIN_KEY', 'COIN_KEYS_TOO_MANY', 'COIN_KEYS_EXHAUSTED', 'COINS_UNAVAILABLE']);
const WATCH_RETRIED = new Set(['COINS_UNAVAILABLE', 'REPLAY_TOO_SOON']);
/** The initial list reads query pages until it has this many unspent coins (the table shows MAX_COINS)… */
const INITIAL_MAX_COINS = MAX_COINS;
/** …or has read this many pages (a page may be empty while the walk goes on). */
const INITIAL_MAX_PAGES = 20;
/** A query whose cursor block a reorg removed (409 CURSOR_REORGED) starts over, at most this often. */
const INITIAL_MAX_RESTARTS = 3;

// key: the address or puzzle hash watched (null: none); cursor: the coin cursor the page has every change
// up to; loading: the initial list is being read (no subscription yet); draining: an unsubscribe of the
// previous watch is not yet answered (its events may still come); pending: a subscribe sent and not yet
// answered; subscribed: the socket has a coin subscription of this page; generation: counts the watches
// started, so a late answer of an earlier one is ignored; coins: coin id → its latest record.
const watch = { key: null, cursor: null, loading: false, draining: false, pending: false, subscribed: false, generation: 0, coins: new Map() };

function showWatchError(text) {
  const el = $('watch-error');
  el.textContent = text;
  el.hidden = text === '';
}

const socketOpen = () => state.socket !== null && state.socket.readyState === WebSocket.OPEN;

/** Sends the watch's subscribe (with its cursor: what changed since is sent first) if the socket is open. */
function watchResume() {
  if (watch.key === null || watch.loading || !socketOpen()) return;
  const message = { type: 'subscribe', topics: ['coins'], puzzle_hashes: [watch.key] };
  if (watch.cursor !== null) message.cursor = watch.cursor;
  watch.pending = true;
  watch.subscribed = true;
  setStatus('connecting', watch.cursor === null ? 'Subscribing…' : 'Catching up…', 'watch-status');
  state.socket.send(JSON.stringify(message));
}

/** A new socket has no coin subscription: nothing of an earlier one can still arrive. */
function watchConnected() {
  watch.subscribed = false;
  watch.draining = false;
}

function startWatching(key) {
  // The previous watch's events stop at its `unsubscribed`; those before it are ignored.
  if (watch.subscribed && socketOpen()) {
    state.socket.send(JSON.stringify({ type: 'unsubscribe', topics: ['coins'] }));
    watch.draining = true;
    watch.subscribed = false;
  }
  watch.key = key;
  watch.cursor = null;
  watch.pending = false;
  watch.coins.clear();
  $('watch-notes').replaceChildren();
  renderCoins();
  showWatchError('');
  void readInitialCoins(key, ++watch.generation);
}

/** The cursor of the block a query answer was read at (`<height>-<header hash without 0x>`). */
function cursorOf(point) {
  return `${point.height}-${point.header_hash.slice(2)}`;
}

/**
 * Lists the unspent coins of `key` as the chain has them, page by page up to the caps, then subscribes
 * from the block the first page was read at: the resume sends every change after it (a coin listed by a
 * later page arrives again with its state now, and replaces its row), so none is missed or listed twice.
 */
async function readInitialCoins(key, generation) {
  const current = () => watch.generation === generation;
  watch.loading = true;
  setStatus('connecting', 'Reading its coins…', 'watch-status');
  let restarts = 0;
  let start = null;
  let cursor = null;
  let pages = 0;
  let more = false;
  try {
    for (;;) {
      const body = { puzzle_hashes: [key], include_spent: false, include_hinted: true };
      if (cursor !== null) body.cursor = cursor;
      const response = await fetch('/v1/coins/query', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const answer = await response.json();
      if (!current()) return;
      if (response.status === 409 && answer.code === 'CURSOR_REORGED' && restarts < INITIAL_MAX_RESTARTS) {
        restarts++;
        [start, cursor, pages] = [null, null, 0];
        watch.coins.clear();
        continue;
      }
      if (!response.ok) throw new Error(answer.detail ?? `HTTP ${response.status}`);
      start ??= answer.peak;
      pages++;
      for (const record of answer.coin_records) watch.coins.set(record.coin_id, record);
      setStatus('connecting', `Reading its coins… ${watch.coins.size.toLocaleString('en-US')} so far`, 'watch-status');
      cursor = answer.next_cursor;
      if (cursor === null) break;
      if (watch.coins.size >= INITIAL_MAX_COINS || pages >= INITIAL_MAX_PAGES) {
        more = true;
        break;
      }
    }
  } catch (error) {
    if (!current()) return;
    watch.loading = false;
    watch.key = null;
    setStatus('error', 'Not watching', 'watch-status');
    showWatchError(`Could not read its coins: ${error.message}`);
    return;
  }
  watch.loading = false;
  const count = watch.coins.size.toLocaleString('en-US');
  const at = start.height.toLocaleString('en-US');
  const shown = watch.coins.size > MAX_COINS ? `, the newest ${MAX_COINS} shown` : '';
  const found = more ? `The first ${pages} pages of its unspent coins at height ${at}: ${count} (it has more${shown})` : `${count} unspent coin(s) at height ${at}${shown}`;
  addNote('note', `${found}; changes since follow`, 'watch-notes');
  watch.cursor = cursorOf(start);
  renderCoins();
  watchResume();
}

/** Live; `height`: the block the page has every change up to (null: not known yet). */
function showWatching(height) {
  setStatus('live', height === null ? 'Watching' : `Watching (up to height ${height.toLocaleString('en-US')})`, 'watch-status');
}

function watchSubscribed(message) {
  if (watch.key === null) return;
  watch.pending = false;
  if (message.cursor !== null && message.cursor !== undefined) watch.cursor = message.cursor;
  showWatching(watch.cursor === null ? null : Number(watch.cursor.split('-')[0]));
}

function watchCoins(message) {
  // A new subscription without cursor sends nothing before `subscribed`: events before it are the old one's.
  if (watch.key === null || watch.loading || watch.draining || (watch.pending && watch.cursor === null)) return;
  watch.cursor = message.cursor;
  for (const record of message.data.coins) watch.coins.set(record.coin_id, record);
  if (!watch.pending) showWatching(message.data.height);
  renderCoins();
}

/** Drops the states above the fork point: a coin created above it is gone, one spent above it unspent again. */
function watchReorg({ fork_point, rolled_back }) {
  if (watch.key === null) return;
  let touched = 0;
  for (const [id, record] of watch.coins) {
    const created = record.confirmed_block_index;
    if (created !== null && created > fork_point) {
      watch.coins.set(id, { ...record, confirmed_block_index: null, spent: false, spent_block_index: null });
      touched++;
    } else if (record.spent_block_index !== null && record.spent_block_index > fork_point) {
      watch.coins.set(id, { ...record, spent: false, spent_block_index: null });
      touched++;
    }
  }
  addNote('reorg', `Reorg: heights ${rolled_back.from}–${rolled_back.to} rolled back (fork point ${fork_point}); ${touched} listed coin(s) changed, the new branch's states follow`, 'watch-notes');
  renderCoins();
}

function watchError(message) {
  if (watch.key === null || !(watch.pending || WATCH_ERRORS.has(message.code))) return;
  watch.pending = false;
  if (WATCH_RETRIED.has(message.code)) {
    setStatus('reconnecting', `${message.message}; retrying in ${WATCH_RETRY_MS / 1000} s`, 'watch-status');
    const key = watch.key;
    setTimeout(() => watch.key === key && watchResume(), WATCH_RETRY_MS);
    return;
  }
  // Refused for good (a bad address, too many keys): the gateway watches nothing for this page.
  watch.key = null;
  setStatus('error', 'Not watching', 'watch-status');
  showWatchError(message.message);
}

/** `amount` mojos (decimal string) in XCH, without trailing zeros. */
function xchOf(amount) {
  const mojos = BigInt(amount);
  const fraction = (mojos % MOJOS_PER_XCH).toString().padStart(XCH_DECIMALS, '0').replace(/0+$/, '');
  return `${(mojos / MOJOS_PER_XCH).toLocaleString('en-US')}${fraction === '' ? '' : `.${fraction}`}`;
}

function shortId(id) {
  return `${id.slice(0, 2 + COIN_ID_SHOWN)}…${id.slice(-COIN_ID_SHOWN)}`;
}

function coinRow(record) {
  const tr = document.createElement('tr');
  const rolledBack = record.confirmed_block_index === null;
  tr.dataset.coinId = record.coin_id;
  tr.dataset.state = rolledBack ? 'rolled-back' : record.spent ? 'spent' : 'unspent';
  const amount = cell('amount', xchOf(record.coin.amount), 'td');
  amount.title = `${BigInt(record.coin.amount).toLocaleString('en-US')} mojos`;
  const id = cell('mono', shortId(record.coin_id), 'td');
  id.title = record.coin_id;
  const created = cell('created', rolledBack ? 'rolled back' : blockLink(record.confirmed_block_index), 'td');
  const status = cell('state', '', 'td');
  if (record.spent) status.append('spent at ', blockLink(record.spent_block_index));
  else status.append(rolledBack ? 'no longer on the chain' : 'unspent');
  // A coin paid elsewhere that lists the watched puzzle hash as its hint.
  if (record.hint !== null && record.hint !== record.coin.puzzle_hash) status.append(' · hinted');
  tr.append(amount, id, created, status);
  return tr;
}

function renderCoins() {
  const records = [...watch.coins.values()].sort((a, b) => (b.confirmed_block_index ?? Infinity) - (a.confirmed_block_index ?? Infinity));
  for (const record of records.slice(MAX_COINS)) watch.coins.delete(record.coin_id);
  $('watch-coins').replaceChildren(...records.slice(0, MAX_COINS).map(coinRow));
}

$('watch-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const key = $('watch-input').value.trim();
  if (key === '') {
    showWatchError('Enter an address (xch1…, txch1…) or a 0x puzzle hash');
    return;
  }
  startWatching(key);
});

connect();
