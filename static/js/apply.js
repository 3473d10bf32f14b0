// The application form (templates/resellers/apply.html): shows the fieldset of the chosen
// membership type and the share of the commitment the pledge covers. A file of its own, not
// an inline script: the Content-Security-Policy refuses inline scripts.
(function () {
  "use strict";
  var form = document.querySelector(".application-form");
  if (!form) return;
  function showForType() {
    var checked = form.querySelector("input[name=type]:checked");
    var type = checked ? checked.value : "user";
    form.querySelectorAll("[data-for-type]").forEach(function (el) {
      el.hidden = el.getAttribute("data-for-type") !== type;
    });
  }
  var pledge = document.getElementById("pledge");
  var out = document.getElementById("pledge-percent");
  function num(id) {
    var v = parseFloat((document.getElementById(id) || {}).value);
    return isNaN(v) || v < 0 ? 0 : v;
  }
  function showPercent() {
    if (!pledge || !out || !pledge.dataset.commitmentMoney) return;
    var money = parseFloat(pledge.dataset.commitmentMoney);
    var hours = parseFloat(pledge.dataset.commitmentHours);
    var share = (num("id_pledge_money") + num("id_pledge_resources_value")) / money + num("id_pledge_hours") / hours;
    out.textContent = (Math.floor(share * 10000) / 100).toString();
  }
  form.addEventListener("input", showPercent);
  form.addEventListener("change", showForType);
  showForType();
  showPercent();
})();
