// Kopek checkout: formats card fields as the buyer types, prevents double submits, auto-submits redirects.
(function () {
  function digits(value) {
    return value.replace(/\D/g, '');
  }
  var number = document.getElementById('cardNumber');
  if (number)
    number.addEventListener('input', function () {
      var d = digits(number.value).slice(0, 19);
      number.value = d.replace(/(\d{4})(?=\d)/g, '$1 ');
    });
  var expiry = document.getElementById('expiry');
  if (expiry)
    expiry.addEventListener('input', function () {
      var d = digits(expiry.value).slice(0, 4);
      expiry.value = d.length > 2 ? d.slice(0, 2) + '/' + d.slice(2) : d;
    });
  document.querySelectorAll('form[data-once]').forEach(function (form) {
    form.addEventListener('submit', function () {
      var button = form.querySelector('button[type=submit]');
      if (button)
        setTimeout(function () {
          button.disabled = true;
        }, 0);
    });
  });
  var auto = document.querySelector('form[data-autosubmit]');
  if (auto)
    setTimeout(function () {
      auto.submit();
    }, 800);
})();
// A pending payment by another method: ask the server for the state and reload when it changes, so the
// page follows the bank, the terminal or the operator live (server state, so a reload shows the same).
(function () {
  var pending = document.querySelector('[data-poll]');
  if (!pending || !window.fetch) return;
  var url = pending.getAttribute('data-poll');
  var drawn = pending.getAttribute('data-poll-state');
  function check() {
    fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store' })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (state) {
        if (state && state.pollState !== drawn) window.location.reload();
        else setTimeout(check, 2000);
      })
      .catch(function () {
        setTimeout(check, 5000);
      });
  }
  setTimeout(check, 2000);
})();
