// Small site-wide behaviour. htmx handles the partial updates.
document.addEventListener("htmx:responseError", function (evt) {
  var box = document.getElementById("htmx-error");
  if (!box) {
    box = document.createElement("div");
    box.id = "htmx-error";
    box.className = "alert alert-danger position-fixed bottom-0 end-0 m-3";
    document.body.appendChild(box);
  }
  var xhr = evt.detail.xhr;
  var status = xhr.status;
  // The server's error fragment (orgs/errors.py) carries the Chinese message; fall back to a generic one.
  var message = "";
  var type = xhr.getResponseHeader("Content-Type") || "";
  if (type.indexOf("text/html") === 0 && xhr.responseText) {
    var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
    var node = doc.querySelector("[data-error-message]");
    if (node) { message = node.getAttribute("data-error-message"); }
  }
  box.setAttribute("role", "alert");
  box.textContent = message || (status === 403 ? "您无权执行此操作。" : status === 404 ? "未找到该对象。" :
    "保存失败（" + status + "），请刷新页面后重试。");
});

// Behaviour that used to be inline (the Content-Security-Policy allows no inline script):
// <form data-confirm="…"> asks before submitting (a submit button's own data-confirm wins, so one form
// with several buttons names what each will do); [data-print] prints; [data-check-all="sel"] toggles.
document.addEventListener("submit", function (evt) {
  var button = evt.submitter && evt.submitter.getAttribute ? evt.submitter : null;
  var form = evt.target.closest ? evt.target.closest("form") : null;
  var text = (button && button.getAttribute("data-confirm")) || (form && form.getAttribute("data-confirm"));
  if (text && !window.confirm(text)) {
    evt.preventDefault();
    evt.stopImmediatePropagation();
  }
}, true);
document.addEventListener("click", function (evt) {
  var printer = evt.target.closest ? evt.target.closest("[data-print]") : null;
  if (printer) {
    evt.preventDefault();
    window.print();
  }
  var all = evt.target.closest ? evt.target.closest("input[data-check-all]") : null;
  if (all) {
    document.querySelectorAll(all.getAttribute("data-check-all")).forEach(function (box) {
      box.checked = all.checked;
    });
  }
});

// [data-append-from="#input"][data-append-to="#textarea"]: adds the input's value as a new line (the
// period form's community lists, filled from the searchable picker).
document.addEventListener("click", function (evt) {
  var button = evt.target.closest ? evt.target.closest("[data-append-from]") : null;
  if (!button) { return; }
  var source = document.querySelector(button.getAttribute("data-append-from"));
  var target = document.querySelector(button.getAttribute("data-append-to"));
  if (!source || !target || !source.value.trim()) { return; }
  var lines = target.value.split("\n").filter(function (l) { return l.trim() !== ""; });
  if (lines.indexOf(source.value.trim()) < 0) { lines.push(source.value.trim()); }
  target.value = lines.join("\n");
  source.value = "";
});

// Nothing typed is lost: text typed inside [data-warn-unsaved] that has not reached the server (its htmx
// autosave did not answer yet or was refused, or its form was not sent) makes leaving the page ask first.
(function () {
  var dirty = new Set();
  document.addEventListener("input", function (evt) {
    var el = evt.target;
    if (el && el.closest && el.closest("[data-warn-unsaved]")) { dirty.add(el); }
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    if (!evt.detail.successful) { return; }
    var source = evt.detail.elt;
    dirty.forEach(function (el) {
      if (el === source || (source.contains && source.contains(el))) { dirty.delete(el); }
    });
  });
  document.addEventListener("submit", function (evt) {
    if (evt.defaultPrevented) { return; }
    var form = evt.target;
    dirty.forEach(function (el) { if (form.contains(el)) { dirty.delete(el); } });
  });
  window.addEventListener("beforeunload", function (evt) {
    var pending = false;
    dirty.forEach(function (el) { if (document.contains(el)) { pending = true; } });
    // A refused save keeps the typed text on the page, marked data-unsaved.
    if (document.querySelector("[data-warn-unsaved] [data-unsaved]")) { pending = true; }
    if (pending) {
      evt.preventDefault();
      evt.returnValue = "";
    }
  });
})();

// The sheet's own inline save was its only change: the page's other forms (pass-on, return, submit, other
// lines) move to the new revision. See evaluations.views._seen.
document.addEventListener("sheetRevision", function (evt) {
  var from = String(evt.detail.from), to = String(evt.detail.to);
  document.querySelectorAll("input[type=hidden][name=revision]").forEach(function (input) {
    if (input.value === from) { input.value = to; }
  });
});
