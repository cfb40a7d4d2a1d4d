(function () {
  var cards = Array.prototype.slice.call(document.querySelectorAll('#cards .card'));
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name=verdict]'));
  var type = document.getElementById('f-type'), q = document.getElementById('f-q');
  var shown = document.getElementById('shown'), none = document.getElementById('none-shown');
  function apply() {
    var verdicts = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    var t = type.value, s = q.value.trim().toLowerCase(), n = 0;
    cards.forEach(function (c) {
      var ok = verdicts.indexOf(c.dataset.verdict) >= 0
        && (!t || c.dataset.types.split(' ').indexOf(t) >= 0)
        && (!s || c.dataset.source.toLowerCase().indexOf(s) >= 0);
      c.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n;
    none.hidden = n > 0 || cards.length === 0;
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  type.addEventListener('change', apply);
  q.addEventListener('input', apply);
  apply();
})();
