import { WebSocket } from "ws";
const H = "bench.localhost";
function conn(user, onMsg) {
  return new Promise((resolve) => {
    const ws = new WebSocket("ws://127.0.0.1:5399/ws", "xmpp");
    const open = `<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="${H}" version="1.0"/>`;
    ws.on("open", () => ws.send(open));
    ws.on("message", (d) => {
      const s = d.toString();
      console.log(user, "<<", s.slice(0, 300));
      if (s.includes("<mechanisms")) ws.send(`<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN">${Buffer.from(`\0${user}\0pw`).toString("base64")}</auth>`);
      else if (s.startsWith("<success")) ws.send(open);
      else if (s.includes("xmpp-bind")) ws.send(`<iq type="set" id="b"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><resource>b</resource></bind></iq>`);
      else if (s.includes('id="b"') || s.includes("id='b'")) ws.send(`<enable xmlns="urn:xmpp:sm:3"/>`);
      else if (s.startsWith("<enabled")) resolve(ws);
      else onMsg?.(s, ws);
    });
  });
}
const a = await conn("u0");
let n = 0;
const b = await conn("u1", (s, ws) => { if (s.startsWith("<message")) ws.send(`<a xmlns="urn:xmpp:sm:3" h="${++n}"/>`); if (s.startsWith("<r")) ws.send(`<a xmlns="urn:xmpp:sm:3" h="${n}"/>`); });
a.send(`<message to="u1@${H}/b" type="chat"><body>AAAA</body></message>`);
a.send(`<r xmlns="urn:xmpp:sm:3"/>`);
a.send(`<message to="u1@${H}/b" type="chat"><body>BBBB</body></message>`);
a.send(`<r xmlns="urn:xmpp:sm:3"/>`);
setTimeout(() => process.exit(0), 1500);
