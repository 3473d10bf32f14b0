// The periodic task's admin page (templates/admin/djcelery/change_periodictask_form.html):
// under the crontab field, the chosen schedule in words, as django-celery-beat's own inline
// script does. A file, not an inline script: the Content-Security-Policy refuses those.
(function () {
  "use strict";
  var data = document.getElementById("readable-crontabs");
  var select = document.getElementById("id_crontab");
  var help = document.querySelector(".field-crontab .help");
  var translation = document.querySelector(".field-crontab_translation");
  if (translation) translation.hidden = true;
  if (!data || !select || !help) return;
  var readable = JSON.parse(data.textContent);
  var words = document.createElement("div");
  help.appendChild(words);
  function show() {
    var text = readable[select.value];
    words.textContent = text ? interpolate(gettext("In words: %s"), [text]) : "";
  }
  // django.jQuery also hears the change the "add another" pop-up triggers through jQuery.
  if (window.django && window.django.jQuery) window.django.jQuery(select).on("change", show);
  else select.addEventListener("change", show);
  show();
})();
