// The editor's script: progressive enhancement only. Every form works without it
// (plain posts, post/redirect/get); this adds
// - live validation: a field marked data-rule is checked against the build's rule for
//   it (GET /_edit/check) 300 ms after typing stops, and the answer is shown under the
//   field and announced. The save applies every rule again, so a check is only a hint.
// - drag and drop in a profile's lists: each row of a list marked data-order-form gets
//   a handle; dropping it posts the list's new order (every row's id) with that hidden
//   form's CSRF token and opened hash (generator/editor/items.py, order_items), then
//   loads the page the answer names, so the framed page shows the new order. A refusal
//   (the profile changed: 409; not the list's rows: 422) is announced beside the list
//   and the rows go back. The Up and Down buttons stay, for the keyboard.
// - drag and drop of a file on image fields (at the end).
// - a quiet preview while saving: a save rebuilds the site, and the framed page's live
//   reload would reload it at once while this page (and its frame) is being replaced
//   anyway; on 2 cores the two loads competed for ~50 ms of every save. The frame is
//   stopped when a form is sent (its long poll aborted; it would ask again after 1 s).
// Only classes are set, never style attributes: the editor's CSP has no 'unsafe-inline'.
(() => {
  "use strict";
  const PAUSE_MS = 300;

  function quietPreview() {
    for (const frame of document.querySelectorAll("iframe")) {
      try {
        frame.contentWindow.stop();
      } catch {
        // not the editor's own origin: nothing to quiet
      }
    }
  }
  document.addEventListener("submit", (event) => {
    if (!event.defaultPrevented) quietPreview();
  });

  function watch(input) {
    const field = input.closest(".field");
    const live = document.createElement("p");
    live.className = "problem live";
    live.id = `${input.id}-live`;
    live.setAttribute("aria-live", "polite");
    input.after(live);
    input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${live.id}`.trim());
    let timer = 0;
    let asked = 0;

    async function check() {
      const value = input.value;
      const number = ++asked;
      const query = new URLSearchParams({ rule: input.dataset.rule, value });
      let answer;
      try {
        const response = await fetch(`/_edit/check?${query}`, { credentials: "same-origin" });
        if (!response.ok) return;  // too long to check live, or the editor stopped: the save will say
        answer = await response.json();
      } catch {
        return;
      }
      if (number !== asked || value !== input.value) return;  // typed on meanwhile: a newer check follows
      // What the last save said of this field is about an older value now.
      // (Only the field's own: an image field's upload keeps its message about the file.)
      for (const old of field.querySelectorAll(":scope > .problem:not(.live)")) old.hidden = true;
      live.textContent = answer.problem || "";  // worded as the save's own message under the field
      field.classList.toggle("invalid", Boolean(answer.problem));
      if (answer.problem) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(check, PAUSE_MS);
    });
  }

  for (const input of document.querySelectorAll("[data-rule][id]")) watch(input);

  // -- drag and drop -------------------------------------------------------------------
  // Pointer events, not HTML5 drag and drop: one path for mouse, pen and touch (HTML5
  // drag events fire for touch only in some mobile browsers, each after its own long
  // press), and the drop position is drawn by the editor's own classes.
  const EDGE_PX = 48;    // a drag this close to the window's top or bottom scrolls it
  const SCROLL_PX = 16;  // by this much per pointer move

  function sortable(list) {
    const holder = document.getElementById(list.dataset.orderForm);
    const form = holder && holder.querySelector("form");
    if (!form) return;
    list.classList.add("sortable");
    const status = document.createElement("p");
    status.className = "order-status";
    status.setAttribute("role", "status");
    list.after(status);
    let drag = null;
    let busy = false;

    const rows = () => [...list.children];
    const nameOf = (row) => (row.querySelector(".item-name") || row).textContent.trim();

    // Where the dragged row would land: the index among the rows it is inserted before.
    function slot(y) {
      const all = rows();
      const before = all.findIndex((row) => {
        const box = row.getBoundingClientRect();
        return y < box.top + box.height / 2;
      });
      return before === -1 ? all.length : before;
    }

    function mark(at) {
      for (const row of rows()) row.classList.remove("drop-before", "drop-after");
      const from = rows().indexOf(drag.row);
      drag.at = at;
      if (at === from || at === from + 1) return;  // where it is: no move
      if (at < rows().length) rows()[at].classList.add("drop-before");
      else list.lastElementChild.classList.add("drop-after");
    }

    function start(event, row) {
      if (busy || drag || event.button !== 0) return;
      event.preventDefault();  // no text selection, no scrolling under a finger
      drag = { row, at: rows().indexOf(row), pointer: event.pointerId };
      row.classList.add("dragging");
      list.classList.add("sorting");
      document.addEventListener("pointermove", move);
      document.addEventListener("pointerup", drop);
      document.addEventListener("pointercancel", stop);
      document.addEventListener("keydown", escape);
    }

    function move(event) {
      if (event.pointerId !== drag.pointer) return;  // another finger
      if (event.clientY < EDGE_PX) window.scrollBy(0, -SCROLL_PX);
      else if (event.clientY > window.innerHeight - EDGE_PX) window.scrollBy(0, SCROLL_PX);
      mark(slot(event.clientY));
    }

    function escape(event) {
      if (event.key === "Escape") stop();
    }

    function stop() {
      if (!drag) return;
      for (const row of rows()) row.classList.remove("drop-before", "drop-after", "dragging");
      list.classList.remove("sorting");
      document.removeEventListener("pointermove", move);
      document.removeEventListener("pointerup", drop);
      document.removeEventListener("pointercancel", stop);
      document.removeEventListener("keydown", escape);
      drag = null;
    }

    function drop(event) {
      if (event.pointerId !== drag.pointer) return;
      mark(slot(event.clientY));
      const { row, at } = drag;
      const from = rows().indexOf(row);
      stop();
      if (at === from || at === from + 1) return;
      const before = rows();
      list.insertBefore(row, before[at] || null);
      send(row, before);
    }

    async function send(row, before) {
      busy = true;
      const ids = rows().map((each) => each.dataset.id);
      const place = ids.indexOf(row.dataset.id) + 1;
      status.textContent = `Moving “${nameOf(row)}” to place ${place} of ${ids.length}…`;
      list.setAttribute("aria-busy", "true");
      const body = new URLSearchParams(new FormData(form));
      for (const id of ids) body.append("id", id);
      body.append("moved", row.dataset.id);
      let response = null;
      let answer = null;
      quietPreview();
      try {
        response = await fetch(form.action, {
          method: "POST", body, credentials: "same-origin", headers: { Accept: "application/json" },
        });
        answer = await response.json();
      } catch {
        // no answer, or not the editor's JSON (the guard's plain 403): said below
      }
      if (response && response.ok && answer && answer.location) {
        follow(answer.location);
        return;
      }
      for (const each of before) list.append(each);  // back to the order the page shows
      list.removeAttribute("aria-busy");
      busy = false;
      status.textContent = (answer && answer.problem) ||
        `Not moved: the editor ${response ? `refused it (${response.status})` : "did not answer"}; ` +
        "reload the page and try again.";
    }

    // Load the page the answer names (its notice says what moved), also when it is the
    // page shown now with the same query: assigning that would only scroll.
    function follow(location) {
      const next = new URL(location, window.location.href);
      const here = window.location;
      if (next.pathname === here.pathname && next.search === here.search) {
        here.hash = next.hash;
        here.reload();
      } else {
        here.assign(next.href);
      }
    }

    for (const row of rows()) {
      const handle = document.createElement("span");
      handle.className = "drag-handle";
      // The keyboard and screen readers have the Up and Down buttons; the handle is for pointers only.
      handle.setAttribute("aria-hidden", "true");
      handle.title = "Drag to move (or use Up and Down)";
      row.prepend(handle);
      handle.addEventListener("pointerdown", (event) => start(event, row));
    }
  }

  for (const list of document.querySelectorAll("ol[data-order-form]")) sortable(list);
})();

// Drag and drop on the image fields, a convenience only: the file picker does the same.
// A file dropped anywhere on an image field (its label, address and picker) is put into
// that field's picker, as if chosen there; Save then sends it like any chosen file. A
// file dropped elsewhere on the page is ignored instead of the browser's default of
// leaving the page (and the form) to show the file.
(() => {
  "use strict";

  for (const picker of document.querySelectorAll(".upload input[type=file]")) {
    const zone = picker.closest(".field") || picker.parentElement;
    const hint = document.getElementById(`${picker.id}-hint`);
    if (hint) hint.append(" You may also drop the file anywhere on this field.");
    let depth = 0;  // dragenter/dragleave fire for every child crossed; count them
    const carriesFiles = (event) => event.dataTransfer && Array.from(event.dataTransfer.types).includes("Files");
    zone.addEventListener("dragenter", (event) => {
      if (!carriesFiles(event)) return;
      depth += 1;
      zone.classList.add("dropping");
    });
    zone.addEventListener("dragleave", () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) zone.classList.remove("dropping");
    });
    zone.addEventListener("dragover", (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
    });
    zone.addEventListener("drop", (event) => {
      depth = 0;
      zone.classList.remove("dropping");
      if (!event.dataTransfer || event.dataTransfer.files.length === 0) return;
      event.preventDefault();
      event.stopPropagation();
      const one = new DataTransfer();  // a single file, as the picker takes
      one.items.add(event.dataTransfer.files[0]);
      picker.files = one.files;
      picker.dispatchEvent(new Event("change", { bubbles: true }));
      picker.focus();
    });
  }

  // Anywhere else, a dropped file must not replace the editor with the file itself.
  for (const type of ["dragover", "drop"]) {
    window.addEventListener(type, (event) => {
      if (event.dataTransfer && Array.from(event.dataTransfer.types).includes("Files")) event.preventDefault();
    });
  }
})();
