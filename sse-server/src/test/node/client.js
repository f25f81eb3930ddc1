'use strict';
// Usage: node client.js <url>
// Connects with npm's eventsource package and prints one JSON line per event it dispatches:
//   {"type":"open"}, {"type":"error"}, {"type":"message","data":...,"lastEventId":...}, {"type":"reset",...}
// It reconnects on its own (after the server's retry:, with Last-Event-ID) until it gets SIGTERM or stdin ends.
//
// eventsource 2.0.2, not 3.x or 4.x (the newest that run on Node 20): their parser (eventsource-parser 3) only
// reports events that carry data, so an "id:" block without data never reaches lastEventId, unlike the WHATWG
// parser. 5.x fixes that (an onId callback) but needs Node >= 22.12. 2.0.2 sets the id as it parses the field.
const EventSource = require('eventsource');

const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: node client.js <url>\n');
  process.exit(2);
}
const print = (line) => process.stdout.write(JSON.stringify(line) + '\n');
const source = new EventSource(url);
source.onopen = () => print({ type: 'open' });
source.onerror = (e) => print({ type: 'error', data: e && e.status ? String(e.status) : null });
source.onmessage = (e) => print({ type: 'message', data: e.data, lastEventId: e.lastEventId });
source.addEventListener('reset', (e) => print({ type: 'reset', data: e.data, lastEventId: e.lastEventId }));

const stop = () => {
  source.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
