# Port helpers for the shell e2e tests (sourced). Tests bind 127.0.0.1 only.

# A port that is free right now.
free_port() {
  node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# An offset for `capstan serve --port-offset` that moves the capability's ports (8080 REST, 9090
# MCP) onto ports that are free right now, so a test never races another for a busy port.
free_offset() {
  node -e '
    const net = require("net");
    const free = (port) => new Promise((ok) => {
      const s = net.createServer().once("error", () => ok(false))
        .listen(port, "127.0.0.1", () => s.close(() => ok(true)));
    });
    (async () => {
      for (let i = 0; i < 100; ++i) {
        const offset = 20000 + Math.floor(Math.random() * 20000);
        if (await free(8080 + offset) && await free(9090 + offset)) { console.log(offset); return; }
      }
      process.exit(1);
    })();'
}
