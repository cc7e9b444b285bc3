// The close form's running total: clean + rejected as typed, against the batch's inputs.
// The page says the same without JavaScript when it comes back from the server.
(function () {
  "use strict";
  var form = document.getElementById("close-form");
  var balance = document.getElementById("balance");
  if (!form || !balance) {
    return;
  }
  var total = document.getElementById("balance-total");
  var state = document.getElementById("balance-state");
  var inputs = Number(balance.dataset.inputs);
  var format = new Intl.NumberFormat(document.documentElement.lang || undefined);
  var counted = Array.prototype.filter.call(form.elements, function (el) {
    return el.name === "clean" || el.name.indexOf("reject_") === 0;
  });

  function update() {
    var sum = 0;
    counted.forEach(function (el) {
      var n = parseInt(el.value, 10);
      if (n > 0) {
        sum += n;
      }
    });
    var gap = inputs - sum;
    total.value = format.format(sum);
    total.textContent = format.format(sum);
    var text = gap > 0 ? balance.dataset.short : gap < 0 ? balance.dataset.over
      : balance.dataset.equal;
    state.textContent = text.replace("{n}", format.format(Math.abs(gap)));
    balance.classList.toggle("even", gap === 0);
    balance.classList.toggle("uneven", gap !== 0);
  }

  counted.forEach(function (el) {
    el.addEventListener("input", update);
  });
  update();
})();
