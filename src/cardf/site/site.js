(function () {
  var root = document.documentElement;
  function setLang(lang) {
    root.classList.toggle('ru', lang === 'ru');
    try { localStorage.setItem('cardf-lang', lang); } catch (e) {}
  }
  try { if (localStorage.getItem('cardf-lang') === 'ru') root.classList.add('ru'); } catch (e) {}
  document.addEventListener('click', function (e) {
    var b = e.target.closest ? e.target.closest('[data-lang]') : null;
    if (b) setLang(b.getAttribute('data-lang'));
  });

  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) {
    return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]; }); }
  function pair(en, ru) {
    if (en && ru && en !== ru) return '<span class="l-en" lang="en">' + esc(en) + '</span><span class="l-ru" lang="ru">' + esc(ru) + '</span>';
    return esc(en || ru || '');
  }

  // the reader: the records citing the words under the pointer
  var data = document.getElementById('reader-data');
  if (data) {
    var D = JSON.parse(data.textContent), panel = document.getElementById('panel'), pinned = null;
    var marks = document.querySelectorAll('.text mark');
    function spansOf(m) { return m.getAttribute('data-s').split(' ').map(Number); }
    function show(m) {
      var seen = {}, recs = [];
      spansOf(m).forEach(function (i) { D.spans[i][2].forEach(function (r) {
        if (!seen[r]) { seen[r] = 1; recs.push(r); } }); });
      var html = '<h3>' + recs.length + (recs.length === 1 ? ' record cites' : ' records cite') + ' these words</h3>';
      function term(i) { var T = D.terms[i];
        return T[0] ? '<a href="' + esc(T[0]) + '">' + pair(T[1], T[2]) + '</a>' : pair(T[1], T[2]); }
      function value(v) { return typeof v === 'number' ? term(v) : esc(v); }
      recs.forEach(function (r) {
        var R = D.records[r], rows = R.facts.map(function (f) {
          return '<dt>' + pair(D.terms[f[0]][1], D.terms[f[0]][2]) + '</dt><dd>' + f[1].map(value).join(', ') +
            (f[2] ? ' <span class="flag">disputed</span>' : '') + '</dd>'; });
        if (R.sources.length) rows.push('<dt>sources</dt><dd>' + R.sources.map(term).join(', ') + '</dd>');
        html += '<div class="rec ' + esc(R.kind) + '"><span class="kind" style="background:' + esc(R.colour) + '">' +
          esc(R.word) + '</span>' + (R.disputed ? '<span class="flag">disputed</span>' : '') +
          '<div class="name">' + term(R.t) + '</div><dl>' + rows.join('') + '</dl></div>';
      });
      panel.innerHTML = html;
      marks.forEach(function (x) { x.classList.remove('on'); });
      var ids = spansOf(m);
      marks.forEach(function (x) { if (spansOf(x).some(function (i) { return ids.indexOf(i) >= 0; })) x.classList.add('on'); });
    }
    marks.forEach(function (m) {
      m.addEventListener('mouseenter', function () { if (!pinned) show(m); });
      m.addEventListener('click', function () { pinned = m; show(m); });
      m.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pinned = m; show(m); } });
    });
    function target() {
      var id = decodeURIComponent(location.hash.slice(1)), index = D.anchors[id];
      marks.forEach(function (x) { x.classList.remove('target'); });
      if (index === undefined) return;
      var first = null;
      marks.forEach(function (x) { if (spansOf(x).indexOf(index) >= 0) { x.classList.add('target'); first = first || x; } });
      if (first) { pinned = first; show(first); first.scrollIntoView({block: 'center'}); }
    }
    window.addEventListener('hashchange', target);
    target();
  }

  // search over labels in both languages
  var box = document.getElementById('q');
  if (box && window.CARDF_INDEX) {
    var list = document.getElementById('hits'), count = document.getElementById('count');
    function norm(s) { return s.toLowerCase().replace(/ё/g, 'е'); }
    var items = window.CARDF_INDEX.map(function (x) { return [x, norm(x[2] + ' \u0000 ' + x[3] + ' \u0000 ' + x[0])]; });
    function run() {
      var words = norm(box.value).split(/\s+/).filter(Boolean), out = [];
      if (words.length) items.forEach(function (it) {
        if (words.every(function (w) { return it[1].indexOf(w) >= 0; })) out.push(it[0]); });
      count.textContent = words.length ? out.length + ' found' : '';
      list.innerHTML = out.slice(0, 200).map(function (x) {
        return '<li><span class="kind">' + esc(x[1]) + '</span><a href="' + esc((window.CARDF_ROOT || '') + x[0]) + '/index.html">' +
          pair(x[2], x[3]) + '</a></li>'; }).join('');
    }
    box.addEventListener('input', run);
    var q = new URLSearchParams(location.search).get('q');
    if (q) { box.value = q; }
    run();
  }
})();
