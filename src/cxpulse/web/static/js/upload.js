// Upload with a progress bar: the same form post, sent with XMLHttpRequest so the bytes sent
// can be shown; the server's page (loaded or rejected) then replaces this one.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) return;
  // The file picker: the chosen file's name beside the button, and the "choose a file"
  // message of the page's language when the form is sent without one.
  var input = document.getElementById("upload-file");
  var shown = document.getElementById("upload-file-name");
  function picked() {
    var file = input.files && input.files[0];
    shown.textContent = file ? file.name : shown.dataset.none;
    shown.classList.toggle("chosen", !!file);
    input.setCustomValidity(file ? "" : input.dataset.missing);
  }
  if (input && shown) {
    input.addEventListener("change", picked);
    picked();
  }
  if (!window.XMLHttpRequest) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var box = document.getElementById("upload-progress");
    var bar = box.querySelector("progress");
    var label = box.querySelector("span");
    box.hidden = false;
    label.textContent = label.dataset.sending;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total);
    });
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value");
      label.textContent = label.dataset.checking;
    });
    xhr.addEventListener("load", function () {
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.send(new FormData(form));
  });
})();
