// The editor's script: progressive enhancement only. Every form works without it
// (plain posts, post/redirect/get); this adds drag and drop on image fields (below)
// and live validation: a field marked
// data-rule is checked against the build's rule for it (GET /_edit/check) 300 ms
// after typing stops, and the answer is shown under the field and announced.
// The save applies every rule again, so a check is only ever a hint.
(() => {
  "use strict";
  const PAUSE_MS = 300;

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
