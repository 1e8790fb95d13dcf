(function () {
  var P = JSON.parse(document.getElementById('sparql-data').textContent);
  var box = document.getElementById('query'), pick = document.getElementById('named'),
      endpoint = document.getElementById('endpoint'), out = document.getElementById('results');
  var head = Object.keys(P.prefixes).sort().map(function (k) { return 'PREFIX ' + k + ': <' + P.prefixes[k] + '>'; }).join('\n');
  endpoint.value = location.protocol.indexOf('http') === 0 ? new URL('../query', location.href).href : 'http://127.0.0.1:7878/query';
  box.value = head + '\n\nSELECT ?event ?label WHERE {\n  ?event a cardf:Event ; rdfs:label ?label .\n  FILTER(lang(?label) = "en")\n} ORDER BY ?label\nLIMIT 50\n';
  var params = document.getElementById('params');
  pick.addEventListener('change', function () {
    var q = P.queries[pick.value]; params.textContent = ''; if (!q) return;
    box.value = q.text; document.getElementById('about').textContent = q.title + (q.description ? ' — ' + q.description : '');
    q.params.forEach(function (p) {
      var label = document.createElement('label'), input = document.createElement('input');
      input.dataset.param = p[0]; input.value = p[1]; input.title = p[2]; input.setAttribute('aria-label', p[0]);
      label.appendChild(document.createTextNode('?' + p[0] + ' ')); label.appendChild(input);
      if (p[2]) { var doc = document.createElement('span'); doc.className = 'muted'; doc.textContent = ' ' + p[2]; label.appendChild(doc); }
      params.appendChild(label);
    });
  });
  function term(v) {  // as `cardf query --param` reads a value: <iri>, prefix:name, a literal as written, else a string
    if (/^<[^>]*>$/.test(v) || /^"/.test(v) || /^[+-]?\d+(\.\d+)?$/.test(v) || v === 'true' || v === 'false') return v;
    var m = /^([A-Za-z][\w-]*):(.*)$/.exec(v);
    if (m && P.prefixes[m[1]] !== undefined) return '<' + P.prefixes[m[1]] + m[2] + '>';
    return JSON.stringify(v);
  }
  function bound() {
    var text = box.value;
    Array.prototype.forEach.call(params.querySelectorAll('input'), function (i) {
      var v = i.value.trim(); if (v) text += '\nVALUES ?' + i.dataset.param + ' { ' + term(v) + ' }';
    });
    return text;
  }
  function short(iri) {
    var best = null;
    Object.keys(P.prefixes).forEach(function (k) { var ns = P.prefixes[k];
      if (iri.indexOf(ns) === 0 && /^[\w.-]+$/.test(iri.slice(ns.length)) && (!best || ns.length > P.prefixes[best].length)) best = k; });
    return best ? best + ':' + iri.slice(P.prefixes[best].length) : iri;
  }
  function cell(t) {
    var td = document.createElement('td'); if (!t) return td;
    if (t.type === 'uri') {
      var a = document.createElement('a'), rel = t.value.slice(P.base.length), page = t.value;
      if (t.value.indexOf(P.base + 'id/') === 0) page = '../' + rel + (rel.indexOf('id/span/') === 0 ? '.html' : '/index.html');
      a.href = page; a.textContent = short(t.value); td.appendChild(a);
    } else { td.textContent = t.value + (t['xml:lang'] ? ' @' + t['xml:lang'] : ''); }
    return td;
  }
  document.getElementById('run').addEventListener('click', function () {
    out.textContent = 'Asking ' + endpoint.value + ' …';
    fetch(endpoint.value, {method: 'POST', headers: {'Content-Type': 'application/sparql-query',
      'Accept': 'application/sparql-results+json'}, body: bound()})
    .then(function (r) { return r.text().then(function (t) { if (!r.ok) throw new Error(r.status + ': ' + t); return JSON.parse(t); }); })
    .then(function (j) {
      out.textContent = '';
      if (j.boolean !== undefined) { out.textContent = String(j.boolean); return; }
      var vars = j.head.vars, table = document.createElement('table'), tr = document.createElement('tr');
      table.className = 'grid';
      vars.forEach(function (v) { var th = document.createElement('th'); th.textContent = v; tr.appendChild(th); });
      table.appendChild(tr);
      j.results.bindings.forEach(function (b) { var row = document.createElement('tr');
        vars.forEach(function (v) { row.appendChild(cell(b[v])); }); table.appendChild(row); });
      var n = document.createElement('p'); n.className = 'muted'; n.textContent = j.results.bindings.length + ' rows';
      out.appendChild(n); out.appendChild(table);
    })
    .catch(function (e) { out.textContent = 'The endpoint did not answer: ' + e.message +
      ' (serve the site with `cardf serve`, or start it with --cors and give its address).'; });
  });
})();
