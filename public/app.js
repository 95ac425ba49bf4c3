// Live peaks demo: connects to /v1/ws, shows the current peak and recent peaks (reorgs marked, heights
// linking to their block), and after a dropped connection reconnects with backoff and replays what it
// missed: the cursor (last_event_id, exact across reorgs) goes in the reconnect URL, so the server sends
// the replay right after hello, before any live peak. (A subscribe sent after hello could let a live peak
// arrive first; the page would then drop the replayed peaks below it as already seen.)
'use strict';

const MAX_ITEMS = 100;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10000;

const $ = (id) => document.getElementById(id);
const state = { lastId: null, lastHeight: null, attempt: 0, socket: null };
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

function setStatus(kind, text) {
  const el = $('status');
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

function prepend(li) {
  const list = $('recent');
  list.prepend(li);
  while (list.children.length > MAX_ITEMS) list.lastElementChild.remove();
}

function cell(className, content) {
  const span = document.createElement('span');
  span.className = className;
  span.append(content);
  return span;
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

function addNote(className, text) {
  const li = document.createElement('li');
  li.className = className;
  li.textContent = text;
  prepend(li);
}

function onMessage(message) {
  switch (message.type) {
    case 'hello':
      state.attempt = 0;
      setStatus('live', 'Live');
      // First connect: the current peak. A reconnect gave its cursor in the URL: the replay follows.
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
      if (!firstTime(message.id)) return;
      state.lastId = message.id;
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
    case 'error':
      console.warn('gateway:', message.code, message.message);
      break;
    default:
      break;
  }
}

function connect() {
  const url = new URL('/v1/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (state.lastId !== null) url.searchParams.set('last_event_id', String(state.lastId));
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

connect();
