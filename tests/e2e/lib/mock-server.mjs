// mock-server.mjs — a development stand-in for the Parley API, used only to
// work on the UI before the C server's routes exist (`node lib/mock-server.mjs
// PORT`). The e2e suite runs against the real server (run.sh); this file
// follows the contract written in web/README.md.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const WEB = path.resolve(process.argv[3] || new URL('../../../web', import.meta.url).pathname);
const port = Number(process.argv[2] || 8099);
const now = Date.now();
const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png' };
const users = [
  { id: 1, email: 'admin@parley.local', name: 'Alex Admin', role: 'admin', skills: '', languages: 'en,ru', active: true },
  { id: 2, email: 'olga@parley.local', name: 'Ольга Смирнова', role: 'supervisor', skills: 'billing', languages: 'ru,en', active: true },
  { id: 3, email: 'anna@parley.local', name: 'Анна Петрова', role: 'agent', skills: 'delivery', languages: 'ru', active: true },
];
const analysis = (emotion, intensity, language, cues = []) => ({ language, emotions: { [emotion]: intensity, neutral: 0.1 }, sentiment: -0.6, intent: 'billing', cues });
let nextId = 100;
const tickets = [
  { id: 1, subject: 'Списали деньги дважды', status: 'new', priority: 'urgent', category: 'billing', channel: 'email', customer_id: 1, assignee_id: 2, escalated: true, risk: 0.82, emotion: { name: 'anger', intensity: 0.9 }, reasons: ['Anger 0.90 with a legal threat'], sla_first_due: now + 3600e3, created_at: now - 3 * 3600e3, updated_at: now - 3600e3,
    messages: [{ id: 1, kind: 'inbound', channel: 'email', body: 'Вы списали с моей карты 4 990 рублей ДВАЖДЫ! Я подаю в суд!!!', analysis: analysis('anger', 0.9, 'ru', [{ kind: 'legal', text: 'подаю в суд' }]), created_at: now - 3 * 3600e3 }] },
  { id: 2, subject: 'Worried about my account', status: 'open', priority: 'high', category: 'account', channel: 'email', customer_id: 2, assignee_id: 3, risk: 0.4, emotion: 'anxiety', sla_first_due: now - 600e3, created_at: now - 8 * 3600e3, updated_at: now - 3600e3,
    messages: [{ id: 2, kind: 'inbound', channel: 'email', body: 'I am worried <script>alert(1)</script>', analysis: JSON.stringify(analysis('anxiety', 0.6, 'en')), created_at: now - 8 * 3600e3 }] },
  { id: 3, subject: 'Solved', status: 'resolved', priority: 'normal', category: 'delivery', channel: 'chat', customer_id: 3, assignee_id: 3, emotion: 'joy', created_at: now - 50 * 3600e3, resolved_at: now - 30 * 3600e3, updated_at: now - 30 * 3600e3, messages: [] },
];
const chats = new Map();
const sse = new Set();
function emit(ev) { for (const c of sse) if (!c.chat || c.chat === ev.chat_id) c.res.write(`data: ${JSON.stringify(ev)}\n\n`); }
function json(res, code, body) { res.writeHead(code, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(body)); }
const list = (tk) => { const { messages, ...rest } = tk; return rest; };

http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  let body = '';
  for await (const c of req) body += c;
  const data = body ? JSON.parse(body) : {};
  const p = url.pathname;
  let m;
  if (!p.startsWith('/api/v1/')) {
    const f = path.join(WEB, p === '/' ? 'index.html' : path.normalize(p));
    if (!f.startsWith(WEB) || !fs.existsSync(f) || fs.statSync(f).isDirectory()) { res.writeHead(404); res.end('not found'); return; }
    res.writeHead(200, { 'Content-Type': MIME[path.extname(f)] || 'application/octet-stream', 'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'self'" });
    fs.createReadStream(f).pipe(res); return;
  }
  const r = p.slice(7);
  if (r === '/health') return json(res, 200, { status: 'ok' });
  if (r === '/auth/login') { const u = users.find((x) => x.email === data.email); return u && data.password === 'parley-demo' ? json(res, 200, { token: `tok-${u.id}`, role: u.role, user: u }) : json(res, 401, { error: { code: 'auth', message: 'bad' } }); }
  if (r === '/chat' && req.method === 'POST') {
    const id = `c${nextId++}`; const tk = { id: nextId++, subject: data.body || 'Chat', status: 'new', priority: 'normal', channel: 'chat', customer_id: 9, created_at: Date.now(), updated_at: Date.now(), messages: [] };
    tickets.push(tk); chats.set(id, { ticket: tk });
    if (data.body) tk.messages.push({ id: nextId++, kind: 'inbound', body: data.body, created_at: Date.now() });
    const greet = { id: nextId++, kind: 'bot', body: 'Hi! I am Parley’s bot. Ask me anything, or press “Talk to a human”.', created_at: Date.now() };
    tk.messages.push(greet);
    return json(res, 201, { chat_id: id, token: `ct-${id}`, ticket_id: tk.id, messages: [greet] });
  }
  if ((m = r.match(/^\/chat\/(\w+)(\/.*)?$/))) {
    const c = chats.get(m[1]); if (!c) return json(res, 404, { error: { code: 'not_found' } });
    if (m[2] === '/events') { res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' }); res.write(': hi\n\n'); const cl = { res, chat: m[1] }; sse.add(cl); req.on('close', () => sse.delete(cl)); return; }
    if (m[2] === '/messages') { const msg = { id: nextId++, kind: 'inbound', body: data.body, created_at: Date.now() }; c.ticket.messages.push(msg); const bot = { id: nextId++, kind: 'bot', body: 'I am not sure. Shall I call a human?', created_at: Date.now() }; c.ticket.messages.push(bot); return json(res, 201, { messages: [msg, bot] }); }
    if (m[2] === '/handoff') { c.handoff = true; const s = { id: nextId++, kind: 'system', body: 'A person will answer shortly.', created_at: Date.now() }; return json(res, 200, { handoff: true, messages: [s] }); }
    return json(res, 200, { messages: c.ticket.messages.filter((x) => x.kind !== 'note'), handoff: !!c.handoff });
  }
  const tok = (req.headers.authorization || '').replace('Bearer ', '') || url.searchParams.get('token');
  if (!tok?.startsWith('tok-')) return json(res, 401, { error: { code: 'unauthorized', message: 'no token' } });
  if (r === '/events') { res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' }); res.write(': hi\n\n'); const cl = { res }; sse.add(cl); req.on('close', () => sse.delete(cl)); return; }
  if (r === '/tickets') { const st = (url.searchParams.get('status') || '').split(','); return json(res, 200, { tickets: tickets.filter((x) => st.includes(x.status)).map(list), next_cursor: null }); }
  if ((m = r.match(/^\/tickets\/(\d+)$/))) { const tk = tickets.find((x) => x.id === Number(m[1])); if (!tk) return json(res, 404, { error: { code: 'not_found' } }); if (req.method === 'PATCH') { Object.assign(tk, data); return json(res, 200, list(tk)); } return json(res, 200, { ...tk, events: [{ id: 1, type: 'ticket.created', created_at: tk.created_at }] }); }
  if ((m = r.match(/^\/tickets\/(\d+)\/(replies|notes)$/))) { const tk = tickets.find((x) => x.id === Number(m[1])); const msg = { id: nextId++, kind: m[2] === 'replies' ? 'reply' : 'note', body: data.body, author_name: 'Agent', created_at: Date.now() }; tk.messages.push(msg); emit({ type: `message.${msg.kind}`, ticket_id: tk.id, message_id: msg.id }); for (const [cid, c] of chats) if (c.ticket === tk && msg.kind === 'reply') emit({ chat_id: cid, ...msg }); return json(res, 201, { message_id: msg.id }); }
  if (r === '/messages' && req.method === 'POST' && data.thread && tickets.some((x) => x.thread === data.thread)) { const tk = tickets.find((x) => x.thread === data.thread); const msg = { id: nextId++, kind: 'inbound', body: data.body, created_at: Date.now() }; tk.messages.push(msg); emit({ type: 'message.inbound', ticket_id: tk.id }); return json(res, 201, { ticket_id: tk.id, message_id: msg.id }); }
  if (r === '/messages' && req.method === 'POST') { if (!data.body) return json(res, 400, { error: { code: 'invalid', message: 'body' } }); const tk = { thread: data.thread, id: nextId++, subject: data.subject, status: 'new', priority: 'normal', channel: data.channel, customer_id: 9, created_at: Date.now(), updated_at: Date.now(), messages: [{ id: nextId++, kind: 'inbound', body: data.body, author_name: data.customer?.name, created_at: Date.now() }] }; tickets.push(tk); emit({ type: 'message.inbound', ticket_id: tk.id }); return json(res, 201, { ticket_id: tk.id, message_id: tk.messages[0].id }); }
  if (r === '/tone-check') { const flags = []; const i = data.text.toLowerCase().indexOf('not our fault'); if (i >= 0) flags.push({ category: 'defensive', phrase: data.text.slice(i, i + 13), start: Buffer.byteLength(data.text.slice(0, i)), end: Buffer.byteLength(data.text.slice(0, i + 13)), suggestion: 'Own the problem: “Let me fix this for you.”' }); return json(res, 200, { flags }); }
  if (r === '/guidance') return json(res, 200, { emotion: url.searchParams.get('emotion'), language: url.searchParams.get('language'), title: 'Anger: stay calm, acknowledge, apologise', steps: ['Take a breath', 'Acknowledge', 'Apologise'], use: ['I understand why this made you angry.'], avoid: ['Calm down.'], openers: ['I’m sorry — let me fix this now.'] });
  if ((m = r.match(/^\/customers\/(\d+)$/))) return json(res, 200, { id: Number(m[1]), name: 'Дмитрий Волков', identities: [{ kind: 'email', value: 'dmitry@example.ru' }], tickets: tickets.filter((x) => x.customer_id === Number(m[1])).map(list) });
  if (r === '/users') return json(res, 200, { users });
  if (r === '/alerts') return json(res, 200, { alerts: [{ id: 1, kind: 'spike', category: 'billing', size: 12, ticket_ids: [1, 2], created_at: now }] });
  return json(res, 404, { error: { code: 'not_found', message: r } });
}).listen(port, '127.0.0.1', () => console.log(`mock on ${port}`));
