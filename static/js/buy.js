/* Purchase pages: pack prices from the live quote, drag-ordered workspaces, live quote and
   estimate (which choice is cheapest), payment split with the remaining amount and, next to each
   part and next to Pay, the reason in words; Pay is enabled only when the split adds up. The
   suggestion fills the split on a fresh page only: after a refused payment the page keeps what
   was typed (data-typed) until "Use the suggested split" is pressed.
   Every price comes from the server (the quote endpoint): amounts arrive as strings and are
   handled in cents (integers) so that what is shown adds up exactly. Every text comes from the
   page (json_script "buy-text"), in the page's language. */
(function () {
  "use strict";
  var form = document.getElementById("order-form");
  if (!form) { return; }
  var kind = form.dataset.kind;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var text = JSON.parse(document.getElementById("buy-text").textContent);
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  function cents(text) {
    var value = String(text || "").replace(/[,\s¥]/g, "");
    if (value === "") { return 0; }
    if (!/^\d+(\.\d{0,2})?$/.test(value)) { return NaN; }
    var parts = value.split(".");
    return parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }
  function grouped(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function yuan(c) {
    var sign = c < 0 ? "-" : "";
    c = Math.abs(c);
    return sign + "¥" + grouped(Math.floor(c / 100)) + "." + ("0" + (c % 100)).slice(-2);
  }
  function plain(c) { return Math.floor(c / 100) + "." + ("0" + (c % 100)).slice(-2); }

  /* ---- traffic packs ----
     Checked here: the item's minimum and step (validation). Priced by the server: each pack line
     of the quote names its item and capacity, and its unit_price is that pack's daily price. */
  var packRows = document.getElementById("pack-rows");
  var packPrices = {};  // "item:capacity" -> daily price in cents, from the latest quote
  function packPrice(row) {
    var option = row.querySelector(".pack-item").selectedOptions[0];
    var input = row.querySelector(".pack-capacity");
    var out = row.querySelector(".pack-price");
    if (!option || !option.value) { out.textContent = ""; out.classList.remove("danger"); return; }
    var min = parseInt(option.dataset.min, 10), base = parseInt(option.dataset.base, 10);
    input.min = min; input.step = base;
    var hint = fill(text.packHint, { min: grouped(min), step: grouped(base) });
    var raw = input.value.trim();
    var capacity = /^\d+$/.test(raw) ? parseInt(raw, 10) : NaN;
    var valid = Number.isSafeInteger(capacity) && capacity >= min && capacity % base === 0;
    out.classList.toggle("danger", raw !== "" && !valid);
    var key = option.value + ":" + capacity;
    out.textContent = valid && key in packPrices ? yuan(packPrices[key]) + text.perDay : hint;
  }
  function showPackPrices(lines) {
    packPrices = {};
    (lines || []).forEach(function (line) {
      var daily = cents(line.unit_price);
      if (line.item && line.capacity && !isNaN(daily)) { packPrices[line.item + ":" + line.capacity] = daily; }
    });
    if (packRows) { packRows.querySelectorAll(".pack-row").forEach(packPrice); }
  }
  if (packRows) {
    packRows.addEventListener("input", function (event) {
      var row = event.target.closest(".pack-row");
      if (row) { packPrice(row); schedule(); }
    });
    packRows.addEventListener("change", function (event) {
      var row = event.target.closest(".pack-row");
      if (row) { packPrice(row); schedule(); }
    });
    packRows.addEventListener("click", function (event) {
      if (event.target.classList.contains("pack-remove")) {
        var row = event.target.closest(".pack-row");
        if (packRows.children.length > 1) { row.remove(); } else { row.querySelector(".pack-item").value = ""; row.querySelector(".pack-capacity").value = ""; packPrice(row); }
        schedule();
      }
    });
    document.getElementById("add-pack").addEventListener("click", function () {
      var template = document.getElementById("pack-row-template");
      packRows.appendChild(template.content.firstElementChild.cloneNode(true));
    });
    packRows.querySelectorAll(".pack-row").forEach(packPrice);
  }

  /* ---- workspaces in priority order (workspaces.js) ---- */
  var chosen = document.getElementById("chosen-workspaces");
  var field = document.getElementById("workspaces-field");
  if (chosen) {
    // the page without JavaScript sends ticked boxes (noscript); with it, this field's order
    field.disabled = false;
    document.getElementById("ws-columns").hidden = false;
    window.orderWorkspaces(chosen, document.getElementById("available-workspaces"), field, text, schedule);
  }

  /* ---- live quote and estimate ---- */
  var timer = null;
  var asked = 0;  // only the answer to the latest quote request is shown
  function schedule() { clearTimeout(timer); timer = setTimeout(refresh, 350); }
  function body() {
    var data = { kind: kind };
    var plan = form.querySelector("input[name=plan]:checked");
    if (plan) { data.plan = plan.value; }
    if (form.dataset.subscription) { data.subscription = parseInt(form.dataset.subscription, 10); }
    if (packRows) {
      data.traffic_packs = [];
      packRows.querySelectorAll(".pack-row").forEach(function (row) {
        var item = row.querySelector(".pack-item").value;
        var capacity = parseInt(row.querySelector(".pack-capacity").value, 10);
        if (item && capacity) { data.traffic_packs.push({ item: item, capacity: capacity }); }
      });
    }
    if (field) { data.workspaces = field.value ? field.value.split(",").map(function (v) { return parseInt(v, 10); }) : []; }
    return data;
  }
  var quoteBox = document.getElementById("quote-box");
  var totalField = document.getElementById("quote-total");
  function showQuote(quote) {
    var rows = quote.lines.map(function (line) {
      var tr = document.createElement("tr");
      var a = document.createElement("td"); a.textContent = line.description;
      var b = document.createElement("td"); b.className = "num"; b.textContent = yuan(cents(line.amount));
      tr.appendChild(a); tr.appendChild(b); return tr;
    });
    var table = document.createElement("table"); table.className = "table";
    var tbody = document.createElement("tbody");
    rows.forEach(function (tr) { tbody.appendChild(tr); });
    var total = document.createElement("tr"); total.className = "total-row";
    total.innerHTML = '<th></th><th class="num" data-testid="quote-total"></th>';
    total.firstChild.textContent = text.total;
    total.lastChild.textContent = yuan(cents(quote.total));
    tbody.appendChild(total); table.appendChild(tbody);
    quoteBox.innerHTML = ""; quoteBox.appendChild(table);
    var changed = totalField.value !== quote.total;
    totalField.value = quote.total;
    suggestion = quote.suggested_payment;
    showShortfall(quote.payment_shortfall);
    if (changed) { prefill(suggestion); }
    updateRemaining();
    showPackPrices(quote.lines);
  }
  function showQuoteError(errors) {
    var messages = [];
    Object.keys(errors || {}).forEach(function (key) { messages = messages.concat(errors[key]); });
    quoteBox.innerHTML = "";
    var p = document.createElement("p"); p.className = "muted"; p.textContent = messages.join(" ");
    quoteBox.appendChild(p);
    totalField.value = ""; suggestion = null; showShortfall(null); updateRemaining();
    showPackPrices([]);  // no quote, no prices: the rows show their hint
  }
  function refresh() {
    var data = body();
    var mine = ++asked;
    fetch(form.dataset.quoteUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(data)
    }).then(function (response) {
      return response.json().then(function (json) { return { ok: response.ok, json: json }; });
    }).then(function (result) {
      if (mine !== asked) { return; }
      if (result.ok) { showQuote(result.json); } else { showQuoteError(result.json.errors); }
    }).catch(function () { /* the server-side "Update the quote" button still works */ });
    if (kind === "new_package") { estimate(data); }
  }
  function estimate(data) {
    if (!data.workspaces || !data.workspaces.length) { return; }
    var packs = (data.traffic_packs || []).map(function (p) { return p.item + ":" + p.capacity; }).join(",");
    fetch(form.dataset.estimateUrl + "?workspaces=" + data.workspaces.join(",") + "&packs=" + encodeURIComponent(packs), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (result) {
        var note = document.getElementById("estimate-note");
        var verdict = document.getElementById("estimate-verdict");
        var cheapest = result.cheapest ? result.cheapest.choice : "";
        verdict.hidden = !result.cheapest;
        verdict.textContent = result.cheapest ? result.cheapest.text : "";
        form.querySelectorAll(".plan-choice").forEach(function (label) {
          label.classList.toggle("plan-cheapest", label.dataset.plan === cheapest);
        });
        if (!result.days) { note.textContent = text.noDays; return; }
        note.textContent = fill(text.replay, { days: result.days, amount: yuan(cents(result.payg_only)) });
        Object.keys(result.plans).forEach(function (code) {
          var slot = document.querySelector('[data-estimate-for="' + code + '"]');
          if (!slot) { return; }
          var entry = result.plans[code];
          slot.textContent = fill(text.plan, {
            days: result.days, total: yuan(cents(entry.total_without_packs)),
            share: yuan(cents(entry.package_cost)), overage: yuan(cents(entry.overage_without_packs))
          }) + (packs ? fill(text.withPacks, { total: yuan(cents(entry.total_with_packs)) }) : "");
          if (code === cheapest) { slot.textContent = text.cheapest + " · " + slot.textContent; }
        });
      }).catch(function () {});
  }

  /* ---- payment split ---- */
  var inputs = Array.prototype.slice.call(form.querySelectorAll(".pay-input"));
  var payButton = document.getElementById("pay-button");
  var payReason = document.getElementById("pay-reason");
  var remainingOut = document.getElementById("remaining");
  var shortfallBox = document.getElementById("shortfall");
  var useSuggestion = document.getElementById("use-suggestion");
  var typed = form.dataset.typed === "1";  // a refused payment: keep what was typed
  var suggestion = null;  // of the latest quote
  function apply(split) {
    inputs.forEach(function (input) {
      input.dataset.edited = "1";
      if (input.name === "cash") { input.value = split.cash; return; }
      var list = input.dataset.instrument === "card" ? split.prepaid_cards : split.vouchers;
      var part = list.filter(function (p) { return String(p.id) === input.dataset.id; })[0];
      input.value = part ? part.amount : "";
    });
  }
  function prefill(split) {
    if (split && !typed) { apply(split); }
  }
  function showShortfall(shortfall) {
    shortfallBox.hidden = !shortfall;
    shortfallBox.dataset.missing = shortfall ? shortfall.missing : "";
    if (!shortfall) { return; }
    document.getElementById("shortfall-missing").textContent = fill(text.missing, { missing: yuan(cents(shortfall.missing)) });
    document.getElementById("shortfall-why").textContent = fill(text.why, {
      total: yuan(cents(shortfall.total)), cash: yuan(cents(shortfall.cash_balance)),
      cards: yuan(cents(shortfall.prepaid_cards)), vouchers: yuan(cents(shortfall.vouchers))
    });
  }
  function checkPart(input) {
    /* the reason next to a part: not an amount, more than it holds, or the server's error
       until the part is edited; returns whether the part is readable */
    var value = cents(input.value);
    var reason = document.getElementById("reason-" + input.name);
    var message = "";
    if (reason.dataset.server && !input.dataset.edited) { message = reason.dataset.server; }
    else if (isNaN(value)) { message = text.notAmount; }
    else if (value > cents(input.dataset.max)) { message = input.dataset.over; }
    reason.textContent = message;
    input.classList.toggle("invalid", message !== "");
    input.setAttribute("aria-invalid", message ? "true" : "false");
    return { value: isNaN(value) ? 0 : value, readable: !isNaN(value), over: value > cents(input.dataset.max) };
  }
  function blockedBecause(hasTotal, remaining, unreadable, over) {
    var missing = cents(shortfallBox.dataset.missing);
    if (!hasTotal) { return text.payNoTotal; }
    if (missing > 0) { return fill(text.payMissing, { missing: yuan(missing) }); }
    if (unreadable || over) { return text.payFix; }
    if (remaining > 0) { return fill(text.payAllocate, { amount: yuan(remaining) }); }
    if (remaining < 0) { return fill(text.payOver, { amount: yuan(-remaining) }); }
    return "";
  }
  function updateRemaining() {
    var hasTotal = totalField.value !== "";
    var total = cents(totalField.value);
    var sum = 0, unreadable = false, over = false;
    inputs.forEach(function (input) {
      var part = checkPart(input);
      sum += part.value;
      if (!part.readable) { unreadable = true; }
      if (part.over) { over = true; }
    });
    var remaining = total - sum;
    remainingOut.textContent = !hasTotal || unreadable ? "—" : yuan(remaining);
    remainingOut.classList.toggle("danger", hasTotal && (unreadable || remaining !== 0));
    useSuggestion.hidden = !(typed && suggestion);
    if (payButton) {
      var why = blockedBecause(hasTotal, remaining, unreadable, over);
      payButton.disabled = why !== "";
      payReason.textContent = why;
      payButton.textContent = hasTotal ? text.pay + " " + yuan(total) : text.pay;
    }
  }
  inputs.forEach(function (input) {
    input.addEventListener("input", function () { input.dataset.edited = "1"; updateRemaining(); });
  });
  useSuggestion.addEventListener("click", function () {
    typed = false;
    if (suggestion) { apply(suggestion); }
    updateRemaining();
  });
  form.querySelectorAll("input[name=plan]").forEach(function (radio) { radio.addEventListener("change", schedule); });
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.id === "pay-button") {
      if (form.dataset.sent) { event.preventDefault(); return; }  // a double click buys once
      form.dataset.sent = "1";
      setTimeout(function () { payButton.disabled = true; }, 0);
    }
  });
  updateRemaining();
  if (kind !== "new_package" || (field && field.value && form.querySelector("input[name=plan]:checked"))) { refresh(); }
})();
